"""What every enforcement view needs: the case the user may see, refusals shown as messages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from enforcement import selectors
from enforcement.models import Case


def case_for(request, case_id) -> Case:
    """The case, if the user's townships include its enterprise's; 404 otherwise."""
    return get_object_or_404(selectors.cases_visible_to(request.user), pk=case_id)


def show_errors(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


def form_errors(form) -> ValidationError:
    """A bound form's errors as one message per field, named by its label."""
    return ValidationError(
        [
            f"{form.fields[k].label}：{'；'.join(v)}" if k in form.fields else "；".join(v)
            for k, v in form.errors.items()
        ]
    )
