from datetime import datetime

import pytest

from weatherlog.readings import ParseError, parse_line

AT = datetime(2024, 5, 1, 12, 0)


def test_full_line():
    r = parse_line("T=21.4;H=55;P=1013.2;W=3.1;R=0.0", AT)
    assert r.temperature == 21.4 and r.wind == 3.1


def test_firmware_one_has_no_wind():
    assert parse_line("T=8.0;H=91;P=998.0;R=1.2", AT).wind is None


def test_fog_humidity_is_clamped():
    assert parse_line("T=3.0;H=103;P=1020.0;R=0.0", AT).humidity == 100.0


@pytest.mark.parametrize("line", ["T=abc;H=1;P=1;R=0", "X=1", "T=1;H=2"])
def test_bad_lines(line):
    with pytest.raises(ParseError):
        parse_line(line, AT)
