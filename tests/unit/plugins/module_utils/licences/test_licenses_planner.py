"""The licence planner as a pure function: state + desired + guardrails -> plan."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _license_planner as _licenses
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats


def said(message):
    """A message of this layer as a playbook's own task says it: the options it marks, by their names."""
    return Vocabulary().say(str(message))


TODAY = datetime.date(2026, 11, 26)
PRODUCT = {"mpn": "M365", "name": "Microsoft 365", "minimumQuantity": "1", "maximumQuantity": "300",
           "subscriptionPeriod": {"type": "year", "duration": 1}}


def subscription(seats, renewal="2027-06-01", created="2020-06-01", status="active", sid="3000001"):
    return {"id": sid, "customerId": "1000001", "status": status, "creationDate": created, "renewalDate": renewal,
            "subscriptionPeriod": {"type": "year", "duration": 1}, "products": [{"mpn": "M365", "name": "Microsoft 365", "quantity": seats}]}


def state(index=1, desired=10, sub=None, **extra):
    base = {"index": index, "customer": "ACME-001", "customer_id": "1000001", "customer_name": "Acme", "mpn": "M365",
            "desired": desired, "window_days": None, "subscription": sub, "product": PRODUCT, "problem": None}
    base.update(extra)
    return base


def plan(states, **guardrails):
    window = guardrails.pop("window_days", None)
    return _licenses.plan_lines(states, _seats.Guardrails(**guardrails), window, TODAY)


def test_actions():
    lines = plan([state(1, 30, subscription(25)), state(2, 25, subscription(25, sid="2")), state(3, 5, None),
                  state(4, 20, subscription(25, sid="4"))], allow_decrease=True)
    assert [line["action"] for line in lines] == ["increase", "none", "create", "decrease"]
    assert [line["delta"] for line in lines] == [5, 0, 5, -5]
    assert lines[2]["current"] is None


def test_guardrails_block_with_reasons():
    lines = plan([state(1, 20, subscription(25)), state(2, 40, subscription(25, sid="2")), state(3, 1, subscription(25, sid="3"))],
                 max_increase=10, allow_decrease=False)
    assert [line["action"] for line in lines] == ["blocked", "blocked", "blocked"]
    assert "needs allow_decrease: true" in said(lines[0]["reason"])
    assert "exceeds max_increase 10" in said(lines[1]["reason"])
    lines = plan([state(1, 1, subscription(25))], allow_decrease=True, max_decrease=10)
    assert "exceeds max_decrease 10" in said(lines[0]["reason"])


def test_limits_and_status_and_problems_block():
    lines = plan([state(1, 301, subscription(25)), state(2, 30, subscription(25, status="terminated", sid="2")),
                  state(3, 30, None, problem="customer X not found")])
    assert "above the maximum of 300" in lines[0]["reason"]
    assert "is terminated" in lines[1]["reason"]
    assert lines[2]["reason"] == "customer X not found"
    assert all(line["action"] == "blocked" for line in lines)


def test_the_same_subscription_twice_is_blocked():
    lines = plan([state(1, 30, subscription(25)), state(2, 31, subscription(25))])
    assert lines[1]["action"] == "blocked" and "same subscription as line 1" in lines[1]["reason"]


def test_decrease_window():
    inside = subscription(25, renewal="2027-11-20")  # term began 2026-11-20, six days ago
    outside = subscription(25, renewal="2027-06-01", sid="2")  # term began 2026-06-01
    lines = plan([state(1, 20, inside), state(2, 20, outside)], allow_decrease=True, window_days=7)
    assert [line["action"] for line in lines] == ["decrease", "deferred"]
    assert lines[1]["deferred_until"] == "2027-06-01"
    assert "within 7 days of purchase or renewal" in lines[1]["reason"]
    per_line = plan([state(1, 20, outside, window_days=365)], allow_decrease=True, window_days=7)
    assert per_line[0]["action"] == "decrease"
    assert plan([state(1, 20, outside)], window_days=7)[0]["action"] == "blocked"  # a forbidden decrease stays blocked


def test_cost_guardrail_names_the_costly_lines():
    lines = plan([state(1, 30, subscription(25)), state(2, 20, subscription(25, sid="2"))], allow_decrease=True)
    lines[0]["price_change"] = {"amount": "62.50", "currency": "USD"}
    lines[1]["price_change"] = {"amount": "-12.50", "currency": "USD"}
    assert _licenses.cost_violation(lines, "60") is None  # 50 net
    message = said(_licenses.cost_violation(lines, "40"))
    assert "estimated price change of 50.00 USD exceeds max_cost_delta 40" in message and "line 1" in message and "line 2" not in message
    assert _licenses.summarize(lines, "planned")["price_change"] == {"amount": "50.00", "currency": "USD", "per": None}


def test_fingerprint_follows_state_not_prices():
    lines = plan([state(1, 30, subscription(25))])
    before = _licenses.fingerprint(lines)
    lines[0]["price_change"] = {"amount": "1", "currency": "USD"}
    assert _licenses.fingerprint(lines) == before
    assert _licenses.fingerprint(plan([state(1, 30, subscription(26))])) != before
    assert "current 25 -> 26" in _licenses.plan_differences(lines, plan([state(1, 30, subscription(26))]))[0]


def test_order_bodies_carry_the_po_number_only_when_given():
    held = subscription(25)
    assert _seats.change_order(held, "M365", 25, 30, "total", "TICKET-1") == {
        "type": "change", "customerId": "1000001", "subscriptionId": "3000001", "poNumber": "TICKET-1",
        "products": [{"mpn": "M365", "quantity": 30, "subscriptionId": "3000001"}]}
    assert _seats.change_order(held, "M365", 25, 20, "delta")["products"][0]["quantity"] == -5
    assert "poNumber" not in _seats.change_order(held, "M365", 25, 30, "total")
    assert _seats.cancellation_order(held, "TICKET-2")["poNumber"] == "TICKET-2"
    assert "poNumber" not in _seats.cancellation_order(held, "")


# ------------------------------------------------------------------ properties

seat_counts = st.integers(min_value=1, max_value=300)
optional_limit = st.none() | st.integers(min_value=0, max_value=50)
guardrail_settings = st.fixed_dictionaries({"allow_decrease": st.booleans(), "max_increase": optional_limit,
                                            "max_decrease": optional_limit})
line_pairs = st.lists(st.tuples(st.none() | seat_counts, seat_counts), min_size=1, max_size=12)


def states_for(pairs):
    """One customer per line, so lines never name the same subscription."""
    return [state(index, desired, None if current is None else subscription(current, sid=str(index)), customer_id="c%d" % index)
            for index, (current, desired) in enumerate(pairs, start=1)]


@settings(max_examples=300, deadline=None)
@given(line_pairs, guardrail_settings)
def test_a_plan_never_exceeds_a_guardrail(pairs, guardrails):
    for line in plan(states_for(pairs), **guardrails):
        if line["action"] in ("increase", "create"):
            assert line["delta"] > 0
            assert guardrails["max_increase"] is None or line["delta"] <= guardrails["max_increase"]
        elif line["action"] == "decrease":
            assert guardrails["allow_decrease"] and line["delta"] < 0
            assert guardrails["max_decrease"] is None or -line["delta"] <= guardrails["max_decrease"]
        elif line["action"] == "none":
            assert line["delta"] == 0
        else:
            assert line["action"] == "blocked" and line["reason"]


@settings(max_examples=300, deadline=None)
@given(line_pairs, guardrail_settings)
def test_applying_a_plan_then_planning_again_gives_none(pairs, guardrails):
    lines = plan(states_for(pairs), **guardrails)
    applied = [(line["desired"] if line["action"] in _seats.ORDERING else current, desired)
               for line, (current, desired) in zip(lines, pairs)]
    again = plan(states_for(applied), **guardrails)
    for first, second in zip(lines, again):
        if first["action"] in _seats.ORDERING or first["action"] == "none":
            assert second["action"] == "none"
        else:
            assert second["action"] == first["action"]
