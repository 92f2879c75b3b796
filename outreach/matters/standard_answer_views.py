"""The library of standard answers (FAQ): its pages, and the search that the answer forms
(a matter's answer, an intake answered on the spot) show beside the answer text.

The search works without JavaScript: ``?faq_q=…`` lists matches on the same page and each
match's "insert" link (``?faq=<id>``) renders the page again with the answer text filled in.
With htmx the same links swap only the list and the text box (``hx-select``).
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.forms import StandardAnswerForm
from outreach.matters.models import MatterCategory, StandardAnswer
from outreach.matters.selectors import (
    SEARCH_MAX,
    can_edit_standard_answers,
    matter_detail,
    standard_answer_active,
    standard_answer_library,
    standard_answers_search,
)
from registry.access import require
from registry.ids import parse_id
from registry.masking import mask_free_text
from registry.roles import user_role

QUERY, INSERT = "faq_q", "faq"


def _link(params: QueryDict, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()


def faq_search(request, *, category: MatterCategory | None = None) -> dict:
    """The search box's context for an answer form: the query, its matches (each with the
    link that inserts it, keeping the rest of the page's query) and the answer chosen to
    insert (``?faq=<id>``), if any."""
    query = request.GET.get(QUERY, "").replace("\x00", "")[:SEARCH_MAX].strip()
    matches = standard_answers_search(query=query, category=category)
    return {
        "faq_query": query,
        "faq_searched": bool(query),
        "faq_matches": [
            (answer, _link(request.GET, **{INSERT: str(answer.pk)})) for answer in matches
        ],
        "faq_inserted": standard_answer_active(parse_id(request.GET.get(INSERT, ""))),
        # The page's other parameters (the intake's ?enterprise=), kept by the search box.
        "faq_keep": [
            (key, value)
            for key, value in request.GET.items()
            if key not in (QUERY, INSERT) and "\x00" not in key + value
        ][:5],
    }


def _form_page(request, form, *, answer=None, matter=None, status=200):
    return render(
        request,
        "outreach/matters/standard_answer_form.html",
        {"form": form, "answer": answer, "matter": matter},
        status=status,
    )


@require_GET
def library(request):
    require(user_role(request.user) is not None)
    query = request.GET.get("q", "").replace("\x00", "")[:SEARCH_MAX].strip()
    retired = request.GET.get("retired") == "1"
    return render(
        request,
        "outreach/matters/standard_answers.html",
        {
            "rows": standard_answer_library(query=query, retired=retired),
            "query": query,
            "retired": retired,
            "can_edit": can_edit_standard_answers(request.user),
        },
    )


def _source_matter(request):
    """``?matter=<id>`` (saving a matter's answer): a matter the user may see, answered."""
    pk = parse_id(request.GET.get("matter", "") or request.POST.get("matter", ""))
    if pk is None:
        return None
    matter = matter_detail(user=request.user, pk=pk)
    if matter is None or matter.answered_at is None:
        return None
    return matter


@require_http_methods(["GET", "POST"])
def standard_answer_new(request):
    """A new standard answer; from an answered matter (``?matter=<id>``) its answer, its
    category and the first line of its description are filled in, to be made general."""
    require(can_edit_standard_answers(request.user))
    matter = _source_matter(request)
    initial = {}
    if matter is not None:
        initial = {
            "title": matter.description.strip().splitlines()[0][:100],
            "category": matter.category_id if matter.category.active else None,
            # A standard answer goes to many: no number of this requester travels with it.
            "text": mask_free_text(matter.answer),
        }
    form = StandardAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.standard_answer_create(
                title=data["title"],
                text=data["text"],
                category=data["category"],
                source_matter=matter,
                by=request.user,
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved as a standard answer."))
            if matter is not None:
                return redirect("outreach:matters:detail", pk=matter.pk)
            return redirect("outreach:matters:standard_answers")
    return _form_page(request, form, matter=matter, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def standard_answer_edit(request, pk):
    require(can_edit_standard_answers(request.user))
    answer = get_object_or_404(StandardAnswer, pk=pk)
    initial = {
        "title": answer.title,
        "category": answer.category_id,
        "text": answer.text,
        "active": answer.active,
    }
    form = StandardAnswerForm(request.POST or None, initial=initial, answer=answer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.standard_answer_update(
                answer=answer,
                title=data["title"],
                text=data["text"],
                category=data["category"],
                active=data["active"],
                by=request.user,
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Standard answer saved."))
            return redirect("outreach:matters:standard_answers")
    return _form_page(request, form, answer=answer, status=400 if form.errors else 200)
