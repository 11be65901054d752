//! Virtual scrolling math for the board's columns: which cards of a long column are in view,
//! and how tall the spacers above and below them must be. Cards have one fixed height, so the
//! window follows from the column's `scrollTop` and height alone.

/// The slice of a list to render and the spacers around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// First item to render.
    pub start: usize,
    /// One past the last item to render.
    pub end: usize,
    /// Height of the spacer above the rendered items, in px.
    pub pad_top: f64,
    /// Height of the spacer below the rendered items, in px.
    pub pad_bottom: f64,
}

impl Window {
    /// How many items are rendered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether nothing is rendered.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Height assumed for a column that has not been measured yet (before layout).
pub const FALLBACK_VIEWPORT: f64 = 900.0;

/// The items of a list of `count` items, each `item_height` px tall, that are visible in a
/// viewport `viewport` px tall scrolled to `scroll_top`, plus `overscan` items on each side.
pub fn visible_window(
    count: usize,
    item_height: f64,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> Window {
    if count == 0 || item_height <= 0.0 {
        return Window {
            start: 0,
            end: 0,
            pad_top: 0.0,
            pad_bottom: 0.0,
        };
    }
    let viewport = if viewport.is_finite() && viewport > 0.0 {
        viewport
    } else {
        FALLBACK_VIEWPORT
    };
    let total = count as f64 * item_height;
    // The browser may report a scrollTop past the end while the list shrinks.
    let max_top = (total - viewport).max(0.0);
    let top = if scroll_top.is_finite() {
        scroll_top.clamp(0.0, max_top)
    } else {
        0.0
    };
    let first = (top / item_height).floor() as usize;
    let last = ((top + viewport) / item_height).ceil() as usize;
    let start = first.saturating_sub(overscan).min(count);
    let end = last.saturating_add(overscan).min(count).max(start);
    Window {
        start,
        end,
        pad_top: start as f64 * item_height,
        pad_bottom: (count - end) as f64 * item_height,
    }
}

/// The `scrollTop` that brings item `index` into a viewport scrolled to `scroll_top`
/// (unchanged if it is already fully visible) — used when a card moves under keyboard focus.
pub fn scroll_to_reveal(index: usize, item_height: f64, scroll_top: f64, viewport: f64) -> f64 {
    let top = index as f64 * item_height;
    let bottom = top + item_height;
    if top < scroll_top {
        top
    } else if bottom > scroll_top + viewport {
        (bottom - viewport).max(0.0)
    } else {
        scroll_top
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_cards_render_only_a_screenful() {
        let w = visible_window(10_000, 116.0, 0.0, 700.0, 3);
        assert_eq!((w.start, w.end), (0, 10));
        assert_eq!(w.pad_top, 0.0);
        assert_eq!(w.pad_bottom, (10_000 - 10) as f64 * 116.0);
        assert!(w.len() < 20);
    }

    #[test]
    fn the_window_follows_the_scroll_position() {
        let w = visible_window(10_000, 100.0, 50_000.0, 700.0, 2);
        assert_eq!((w.start, w.end), (498, 509));
        assert_eq!(
            w.pad_top + w.len() as f64 * 100.0 + w.pad_bottom,
            1_000_000.0
        );
    }

    #[test]
    fn scrolling_past_the_end_shows_the_last_items() {
        let w = visible_window(50, 100.0, 99_999.0, 700.0, 2);
        assert_eq!(w.end, 50);
        assert_eq!(w.start, 41);
        assert_eq!(w.pad_bottom, 0.0);
    }

    #[test]
    fn short_and_empty_lists_render_whole() {
        let w = visible_window(3, 100.0, 0.0, 700.0, 3);
        assert_eq!((w.start, w.end, w.pad_top, w.pad_bottom), (0, 3, 0.0, 0.0));
        let w = visible_window(0, 100.0, 0.0, 700.0, 3);
        assert!(w.is_empty());
    }

    #[test]
    fn an_unmeasured_column_still_renders_a_screenful() {
        let w = visible_window(1_000, 100.0, 0.0, 0.0, 0);
        assert_eq!(w.end, 9);
        let w = visible_window(1_000, 100.0, f64::NAN, f64::NAN, 0);
        assert_eq!(w.start, 0);
    }

    #[test]
    fn revealing_an_item_scrolls_only_when_needed() {
        assert_eq!(scroll_to_reveal(5, 100.0, 0.0, 700.0), 0.0);
        assert_eq!(scroll_to_reveal(10, 100.0, 0.0, 700.0), 400.0);
        assert_eq!(scroll_to_reveal(2, 100.0, 500.0, 700.0), 200.0);
    }
}
