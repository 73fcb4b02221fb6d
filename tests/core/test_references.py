import threading

import pytest
from django.db import connection

from lutetia.core.references import format_reference, next_reference, reserve_numbers


@pytest.mark.django_db
def test_numbers_follow_each_other_per_prefix_and_year():
    assert next_reference("DMR", 2026) == "DMR-2026-000001"
    assert next_reference("DMR", 2026) == "DMR-2026-000002"
    assert next_reference("DMR", 2027) == "DMR-2027-000001"
    assert next_reference("DEM", 2026) == "DEM-2026-000001"


@pytest.mark.django_db
def test_a_batch_reserves_a_consecutive_range():
    next_reference("DMR", 2026)
    assert reserve_numbers("DMR", 2026, 1000) == range(2, 1002)
    assert next_reference("DMR", 2026) == "DMR-2026-001002"
    assert format_reference("DMR", 2026, 1234567) == "DMR-2026-1234567"


@pytest.mark.django_db
def test_nothing_reserved_for_an_empty_batch():
    with pytest.raises(ValueError):
        reserve_numbers("DMR", 2026, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
def test_concurrent_requests_never_share_a_number():
    numbers, barrier = [], threading.Barrier(20)

    def take():
        try:
            barrier.wait()
            numbers.append(next_reference("DMR", 2026))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"DMR-2026-{n:06d}" for n in range(1, 21)]
