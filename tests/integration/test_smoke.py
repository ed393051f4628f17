def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_home_shows_the_managers_own_team(as_role):
    response = as_role("manager").get("/")
    assert response.status_code == 200
    assert b"North" in response.data
    assert b"South" not in response.data
