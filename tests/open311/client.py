"""Drives Concord's Open311 GeoReport v2 endpoint with a real client library from PyPI
(`georeport`), as a county hotline's software would: the service list and a definition, then a
request posted with the API key (the library reads only, so the POST goes through `requests`,
as the specification's example sends it), read back by id and in the filtered list, and a batch
client's token turned into the request id. Both formats. Exits non-zero on the first surprise.

Usage: client.py BASE_URL REALTIME_KEY BATCH_KEY VILLAGE_ID
"""

import sys

import requests
import xmltodict
from georeport import GeoReport


def check(cond, what):
    if not cond:
        print(f"open311 client: FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"open311 client: ok: {what}")


def as_list(x):
    return x if isinstance(x, list) else [x]


def post(root, fmt, key, village, **extra):
    form = {
        "api_key": key,
        "service_code": "labour",
        "attribute[kind]": "dispute",
        "attribute[village]": village,
        "address_string": "二组 7 号",
        "first_name": "四",
        "last_name": "李",
        "phone": "13912345678",
        "description": "包工头拖欠我们三个月工资,多次讨要未果,希望中心调解。",
    }
    form.update(extra)
    res = requests.post(f"{root}/requests.{fmt}", data=form, timeout=10)
    check(res.status_code == 200, f"POST requests.{fmt} answers 200 (got {res.status_code}: {res.text[:300]})")
    if fmt == "json":
        return res.json()[0]
    return xmltodict.parse(res.content)["service_requests"]["request"]


def main():
    base, key, batch_key, village = sys.argv[1:5]
    root = f"{base}/open311/v2"
    for fmt in ("json", "xml"):
        client = GeoReport(root, api_key=key, output_format=fmt)
        services = as_list(client.get_service_list())
        codes = [s["service_code"] for s in services]
        check(len(codes) == 15 and "labour" in codes, f"{fmt}: 15 services, labour among them")
        labour = next(s for s in services if s["service_code"] == "labour")
        check(str(labour["metadata"]).lower() == "true", f"{fmt}: labour has metadata")
        definition = client.get_service_definition("labour")
        attrs = definition["attributes"]
        attrs = as_list(attrs["attribute"]) if fmt == "xml" else attrs
        check([a["code"] for a in attrs] == ["kind", "village"], f"{fmt}: the definition's attributes")
        villages = attrs[1]["values"]
        villages = as_list(villages["value"]) if fmt == "xml" else villages
        check(any(str(v["key"]) == village for v in villages), f"{fmt}: the village is offered")

        posted = post(root, fmt, key, village)
        request_id = posted["service_request_id"]
        check(bool(request_id) and "token" not in posted, f"{fmt}: a realtime request id")
        one = client.get_service_request(request_id)
        check(one["service_request_id"] == request_id and one["status"] == "open", f"{fmt}: the request by id is open")
        check(one["service_code"] == "labour", f"{fmt}: its service")
        text = str(one)
        check("李四" not in text and "13912345678" not in text, f"{fmt}: no name or phone in it")
        found = as_list(client.get_service_requests(service_request_id=request_id))
        check([r["service_request_id"] for r in found] == [request_id], f"{fmt}: the list by id")
        open_labour = as_list(client.get_service_requests(service_code="labour", status="open"))
        check(request_id in [r["service_request_id"] for r in open_labour], f"{fmt}: the list filtered by service and status")

        tokened = post(root, fmt, batch_key, village)
        token = tokened.get("token")
        check(bool(token) and "service_request_id" not in tokened, f"{fmt}: a batch client gets a token")
        res = requests.get(f"{root}/tokens/{token}.{fmt}", timeout=10)
        check(res.status_code == 200, f"{fmt}: the token resolves")
        row = res.json()[0] if fmt == "json" else xmltodict.parse(res.content)["service_requests"]["request"]
        check(bool(row["service_request_id"]), f"{fmt}: the token gives the request id")

        res = requests.post(f"{root}/requests.{fmt}", data={"api_key": "c311_wrong", "service_code": "labour"}, timeout=10)
        check(res.status_code == 403, f"{fmt}: a wrong key is refused with 403")
        errors = res.json() if fmt == "json" else as_list(xmltodict.parse(res.content)["errors"]["error"])
        check(str(errors[0]["code"]) == "403" and errors[0]["description"], f"{fmt}: the error list")
        try:
            client.get_service_definition("potholes")
            check(False, f"{fmt}: an unknown service is a 404")
        except requests.HTTPError as e:
            check(e.response.status_code == 404, f"{fmt}: an unknown service is a 404")
    print("open311 client: every check passed")


if __name__ == "__main__":
    main()
