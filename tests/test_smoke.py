from tests.conftest import login


def test_cadre_signs_in_and_sees_vietnamese_home(client, cadre_a):
    response = login(client, cadre_a)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Xin chào, Hoa" in page
    assert "Đoàn xã Bát Xát" in page
