"""The material's public link (``/m/<token>/``): a page for a liaison's phone, no login. The
file is served only through ``/m/<token>/file/`` (never as public media); a token that is
malformed, unknown or of an unpublished material is the same friendly 404."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from outreach.materials.models import Material
from outreach.materials.selectors import public_material


def _missing(request):
    return render(request, "outreach/materials/public_missing.html", status=404)


def _public(response):
    # The address (its token) does not leave as a Referer; no shared cache keeps an
    # unpublished material.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_GET
def material_page(request, token):
    material = public_material(token)
    if material is None:
        return _public(_missing(request))
    return _public(
        render(
            request,
            "outreach/materials/public_page.html",
            {"material": material, "token": token},
        )
    )


@login_not_required
@require_GET
def material_file(request, token):
    """An image inline (the page shows it), a PDF as a download; always the type its content
    was checked to be, nosniff."""
    material = public_material(token)
    if material is None or material.kind == Material.Kind.VIDEO or not material.file:
        return _public(_missing(request))
    try:
        opened = material.file.open("rb")
    except FileNotFoundError:
        return _public(_missing(request))
    response = FileResponse(
        opened,
        as_attachment=material.kind == Material.Kind.PDF,
        filename=material.file_name,
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _public(response)
