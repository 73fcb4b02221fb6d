"""Open311 on a site where Dans ma rue is switched off: a 404 in the spec's format, not a page."""

import json
import xml.etree.ElementTree as ET


def test_a_switched_off_service_answers_in_open311_errors(
    client, administrator, category, switch_off
):
    assert client.get("/open311/v2/services.json").status_code == 200
    switch_off("reports", acting_user=administrator)

    as_json = client.get("/open311/v2/services.json")
    assert as_json.status_code == 404
    assert as_json["Content-Type"].startswith("application/json")
    [error] = json.loads(as_json.content)
    assert error["code"] == 404 and error["description"]

    as_xml = client.get("/open311/v2/requests.xml")
    assert as_xml.status_code == 404
    assert ET.fromstring(as_xml.content).find("error/code").text == "404"
    assert client.get("/dans-ma-rue/").status_code == 404
