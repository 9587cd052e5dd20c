"""The audit rule is structural: every view under a personal-data URL (bridges.audit.PERSONAL_DATA_URLS)
carries the marker, so a new page cannot forget to record who saw what."""

import fnmatch

from django.urls import resolve

from bridges.audit import PERSONAL_DATA_URLS, is_audited, is_personal, rule_for
from tests.urlwalk import all_sample_urls

# URL namespaces whose pages are about candidates, and admin pages of their models: each of their
# URL names must be decided by a rule (personal data, or explicitly not).
CANDIDATE_AREAS = ("candidates:", "matching:", "proposals:", "me:", "admin:candidates_", "admin:matching_")


def test_every_view_under_a_personal_data_url_is_audited():
    unmarked = [
        f"{url.name} ({url.path})"
        for url in all_sample_urls()
        if is_personal(url.name) and not is_audited(resolve(url.path).func)
    ]

    assert not unmarked, f"views showing personal data without @audited / AuditedAdminMixin: {unmarked}"


def test_the_rules_cover_the_candidate_pages_and_the_admins_candidate_pages():
    names = {url.name for url in all_sample_urls()}
    undecided = sorted(name for name in names if name.startswith(CANDIDATE_AREAS) and rule_for(name) is None)
    personal = {name for name in names if is_personal(name)}

    assert not undecided
    for expected in [
        "candidates:detail",
        "candidates:edit",
        "candidates:duplicates",
        "candidates:document_download",
        "matching:candidate_matches",
        "matching:position_matches",
        "matching:introduction",
        "matching:report_rows_csv",
        "proposals:detail",
        "proposals:document",
        "admin:candidates_candidate_changelist",
        "admin:candidates_candidate_change",
        "admin:candidates_candidate_history",
        "admin:candidates_candidate_delete",
        "admin:matching_introduction_change",
        "admin:autocomplete",
        # the candidate's own view: every page but accepting the invitation
        "candidates:portal_invite",
        "candidates:portal_request_done",
        "me:home",
        "me:consents",
        "me:consent_withdraw",
        "me:introduction",
        "me:export",
        "me:erasure",
        "admin:candidates_portalinvitation_change",
        "admin:candidates_candidaterequest_change",
    ]:
        assert expected in personal, expected
    assert not {"me:welcome", "me:welcome_code"} & personal
    assert {name for name in names if name.startswith("me:")} - personal == {"me:welcome", "me:welcome_code"}


def test_every_rule_matches_some_url():
    names = [url.name for url in all_sample_urls()]
    unused = [rule.pattern for rule in PERSONAL_DATA_URLS if not fnmatch.filter(names, rule.pattern)]

    assert not unused, f"rules that match no URL (renamed?): {unused}"


def test_the_check_fails_for_a_view_without_the_marker():
    """The marker check itself: an unmarked function is not audited, the portal's marked ones are."""

    def plain_view(request):
        raise AssertionError

    assert not is_audited(plain_view)
    assert is_audited(resolve("/candidates/1/").func)
    assert is_audited(resolve("/me/").func)
    assert is_audited(resolve("/me/consents/1/withdraw/").func)
    assert is_audited(resolve("/admin/candidates/candidate/1/change/").func)
    assert not is_audited(resolve("/admin/candidates/budget/").func)
