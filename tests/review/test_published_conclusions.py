"""Published conclusions hold for every true count the rounding allows: the direction, the
four-fifths flag, the count of significant tests and the correction for multiple
comparisons. Each case is worked by hand in its docstring; a published count stands for
itself and up to 2 either side."""

from django.template import Context, Template

from convener.review import report, stats


def published(k, n, pool_k, pool_n):
    """A published flow test as the review runs it: binomial against the pool's rounded
    share, with the rounding check over k, n, pool_k and pool_n."""
    c = stats.against_share(k, n, pool_k / pool_n)
    spread = [(max(0, v - 2), v + 2) for v in (k, n, pool_k, pool_n)]
    c.robust = stats.robust(stats.Method.BINOMIAL, spread)
    return c


def test_a_direction_the_rounding_could_reverse_is_not_published():
    """Finding 21. 5 of 110 against a pool of 60 of 1000: rounded, 4.5% against 6%, lower.
    But 7 of 108 is 6.5%, and the pool may be 58 of 1002 (5.8%): higher. Unclear."""
    c = published(5, 110, 60, 1000)
    assert c.direction == "unclear"
    assert "Lower" not in c.verdict() and "Higher" not in c.verdict()
    assert "Inconclusive" in c.verdict()
    assert report._comparison_dict(c)["p"] is None  # no p-value for an open result


def test_a_direction_every_true_count_shares_is_published():
    """5 of 110 against 300 of 1000: at most 7/108 = 6.5% against at least 298/1002 = 30%."""
    c = published(5, 110, 300, 1000)
    assert c.direction == "lower"
    assert c.verdict().startswith("Lower than the pool's share")


def test_a_four_fifths_flag_the_rounding_could_change_is_not_published():
    """Finding 22. 20 of 100 against 240 of 1000: ratio of selection rates
    (20/240) / (80/760) = 0.79, below 0.8. But 22 of 98 against 238 of 1002 gives
    (22/238) / (76/764) = 0.93. Some true counts are below 0.8, some not."""
    c = published(20, 100, 240, 1000)
    assert round(c.impact_ratio, 2) == 0.79
    assert c.four_fifths_flag is None
    html = Template(
        "{% if c.four_fifths %}below{% elif c.four_fifths is None %}unclear{% endif %}"
    ).render(Context({"c": report._comparison_dict(c)}))
    assert html == "unclear"


def test_a_four_fifths_flag_every_true_count_shares_is_published():
    """10 of 100 against 240 of 1000: at most (12/238) / (86/764) = 0.45: below 0.8 for all.
    60 of 100 against 240 of 1000: at least (58/242) / (44/758) = 4.1: above for all."""
    assert published(10, 100, 240, 1000).four_fifths_flag is True
    assert published(60, 100, 240, 1000).four_fifths_flag is False


def test_the_count_of_significant_tests_and_the_correction_use_what_holds_for_every_count():
    """Finding 23. Two published flows: 10 of 100 against 300 of 1000 (a shortfall for every
    true count: the largest p, at 12 of 98 against 302 of 998, is far below 0.05) and 20 of
    100 against 280 of 1000 (rounded p = 0.044, but 22 of 98 against 278 of 1002 gives
    p = 0.14: inconclusive). One significant result, not two, and the inconclusive row
    carries no p-value."""
    sure, open_ = published(10, 100, 300, 1000), published(20, 100, 280, 1000)
    assert sure.conclusion() == "shortfall" and open_.conclusion() == "inconclusive"
    assert open_.p_lower < 0.05  # what main counted as significant
    rows = [{"comparison": report._comparison_dict(c)} for c in (sure, open_)]
    review = {"sections": [{"rows": rows, "flows": [], "seats": [], "trends": []}]}
    tests = report._multiple_comparisons(review)
    assert (tests["count"], tests["significant"]) == (4, 1)
    assert rows[1]["comparison"]["p_lower"] is None
    assert rows[0]["comparison"]["bh"]["p_lower"] and not any(rows[1]["comparison"]["bh"].values())


def test_a_p_value_below_a_thousandth_reads_p_below_not_p_equals_below():
    """Finding 27: the officer's table printed "p = < 0.001"."""
    text = Template("{% load review %}({{ p|p_equals }}) ({{ q|p_equals }})").render(
        Context({"p": 0.0002, "q": 0.0123})
    )
    assert text == "(p &lt; 0.001) (p = 0.012)"  # escaped in HTML
    c = stats.against_share(2, 60, 0.4)  # 2 of 60 against 40%: p far below 0.001
    assert "p < 0.001" in c.verdict() and "p = 0.000" not in c.verdict()


def test_the_seat_comparison_sits_on_the_resource_seats_row_of_the_csv():
    """Finding 25. L3 women: 16 of 122 resource seats (13.1%), 22 of 45 community-building
    seats (48.9%). The test asks whether the resource seats have fewer: their share over
    the other seats' is 0.131 / 0.489 = 0.268, lower, a shortfall. On main the CSV printed
    that on the community row (22 of 45, "pool share" 0.4889, index 0.2683, lower), which
    read as written says the opposite."""
    c = report._comparison_dict(stats.two_samples(16, 122, 22, 45))

    def cell(k, n):
        return {"question": "gender", "option": "woman", "k": k, "n": n, "share": k / n}

    review = {
        "year": 2025,
        "audience": "officer",
        "base": [],
        "engagement": [],
        "sections": [
            {
                "level": {"key": "L3", "pool": "members"},
                "community_label": "community-building seats",
                "rows": [],
                "flows": [],
                "trends": [],
                "seats": [
                    {
                        "resources": cell(16, 122),
                        "community": cell(22, 45),
                        "comparison": c,
                        "ratio": (22 / 45) / (16 / 122),
                    }
                ],
            }
        ],
    }
    header, *rows = report.rows_for_csv(review)
    rows = [dict(zip(header, row, strict=True)) for row in rows]
    resources, community = rows
    assert (resources["kind"], resources["count"], resources["answered"]) == (
        "resource seats",
        16,
        122,
    )
    assert resources["pool"] == "community-building seats"
    assert (resources["share"], resources["pool_share"]) == ("0.1311", "0.4889")
    assert resources["representation_index"] == "0.2683"
    assert (resources["direction"], resources["conclusion"]) == ("lower", "shortfall")
    assert (community["count"], community["share"]) == (22, "0.4889")
    assert community["direction"] == community["representation_index"] == ""
