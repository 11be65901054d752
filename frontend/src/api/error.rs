//! The one error of the API client: the network failed, the server refused with its
//! `ApiError` envelope, or the answer could not be read. Each renders in the person's language.

use shared::Lang;
use shared::error::{ApiError, ErrorKind, FieldError};
use shared::model::CaseDetail;

use crate::i18n::T;

/// What went wrong with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The request never got an answer (offline, server down, CORS, aborted).
    Network(String),
    /// The server answered with an error status and its envelope.
    Server { status: u16, body: ApiError },
    /// The answer was not what the contract says.
    Decode(String),
}

impl Error {
    /// An error for a status whose body was not an `ApiError` (a proxy's page, say).
    pub fn from_status(status: u16, lang: Lang) -> Error {
        Error::Server {
            status,
            body: ApiError::new(kind_of_status(status), lang),
        }
    }

    /// The server's envelope, if the server answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Server { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The kind of a server error.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.api().map(|e| e.kind)
    }

    /// Whether the session is missing or ended.
    pub fn is_unauthorized(&self) -> bool {
        self.kind() == Some(ErrorKind::Unauthorized)
    }

    /// The sentence shown to the person. General messages are rendered again in `lang`; a
    /// specific message from the server is kept as the server wrote it (in the language the
    /// request asked for).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::Network(_) => T::ErrNetwork.get(lang).to_owned(),
            Error::Decode(_) => T::ErrDecode.get(lang).to_owned(),
            Error::Server { body, .. } => body.clone().localized(lang).message,
        }
    }

    /// The refused fields, with their messages in `lang`.
    pub fn fields(&self, lang: Lang) -> Vec<FieldError> {
        self.api()
            .map(|e| {
                e.fields
                    .iter()
                    .map(|f| FieldError {
                        message: f.reason.message(lang),
                        ..f.clone()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// For a stale update (409): the case as it is now.
    pub fn current_case(&self) -> Option<CaseDetail> {
        match self {
            Error::Server { body, .. } if body.kind == ErrorKind::Conflict => {
                body.current.as_deref().cloned()
            }
            _ => None,
        }
    }
}

/// The error kind an HTTP status stands for.
pub fn kind_of_status(status: u16) -> ErrorKind {
    match status {
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        422 => ErrorKind::Validation,
        413 => ErrorKind::PayloadTooLarge,
        429 => ErrorKind::RateLimited,
        _ => ErrorKind::Internal,
    }
}

/// Decodes an error answer: the envelope if the body holds one, else a general error for the
/// status.
pub fn from_body(status: u16, body: &str, lang: Lang) -> Error {
    match serde_json::from_str::<ApiError>(body) {
        Ok(api) => Error::Server { status, body: api },
        Err(_) => Error::from_status(status, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::error::Reason;

    #[test]
    fn field_errors_are_shown_again_in_the_persons_language() {
        let api = ApiError::field("parties[0].phone", Reason::InvalidPhone, Lang::Zh);
        let body = serde_json::to_string(&api).unwrap_or_default();
        let err = from_body(422, &body, Lang::Zh);
        assert_eq!(err.kind(), Some(ErrorKind::Validation));
        let en = err.fields(Lang::En);
        assert_eq!(en[0].field, "parties[0].phone");
        assert!(en[0].message.contains("phone"), "{}", en[0].message);
        assert!(err.message(Lang::En).contains("not valid"));
    }

    #[test]
    fn a_body_that_is_not_the_envelope_still_gives_a_sentence() {
        let err = from_body(502, "<html>Bad gateway</html>", Lang::En);
        assert_eq!(err.kind(), Some(ErrorKind::Internal));
        assert!(err.message(Lang::Zh).contains("服务器"));
        let limited = from_body(429, "", Lang::Zh);
        assert_eq!(limited.kind(), Some(ErrorKind::RateLimited));
        assert!(
            Error::Network("x".into())
                .message(Lang::En)
                .contains("server")
        );
        assert!(!limited.is_unauthorized());
        assert!(from_body(401, "", Lang::Zh).is_unauthorized());
    }

    #[test]
    fn a_conflict_carries_the_current_case() {
        let err = from_body(409, r#"{"kind":"conflict","message":"x"}"#, Lang::Zh);
        assert_eq!(err.kind(), Some(ErrorKind::Conflict));
        assert!(err.current_case().is_none());
    }
}
