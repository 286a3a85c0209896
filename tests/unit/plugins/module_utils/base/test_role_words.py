"""Options named in messages are marked where the message is made and said once, at the edge, in the caller's words."""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import ROLE_NAMES, Vocabulary, option, role_name


def test_a_marked_option_is_said_as_the_role_or_the_playbook_names_it():
    message = "an increase of 5 seats exceeds %s 2; set %s to go on" % (option("max_increase"), option("allow_decrease"))
    assert Vocabulary("license_adjustment").say(message) == \
        "an increase of 5 seats exceeds license_adjustment_max_increase 2; set license_adjustment_allow_decrease to go on"
    assert Vocabulary().say(message) == "an increase of 5 seats exceeds max_increase 2; set allow_decrease to go on"
    assert Vocabulary("onboarding").say(option("max_increase")) == "max_increase"  # not a variable of that role


def test_the_edge_says_every_string_of_a_result_and_leaves_the_rest():
    result = {"msg": option("wait_timeout"), "plan": [{"reason": "needs %s" % option("wait"), "current": 3}], "changed": False,
              "pair": ("x", option("concurrency"))}
    assert Vocabulary("license_adjustment").say(result) == {
        "msg": "license_adjustment_wait_timeout", "plan": [{"reason": "needs license_adjustment_wait", "current": 3}], "changed": False,
        "pair": ("x", "license_adjustment_concurrency")}


def test_role_names_come_from_the_one_table():
    assert role_name("license_report", "customer") == "license_report_customers" == ROLE_NAMES["license_report"]["customer"]
    assert role_name("module", "customer") == "customer"
