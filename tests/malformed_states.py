"""Notebooks whose saved widget state is malformed, one way each (issue 24).

Plain ``nbconvert --to html`` writes a page for each of those marked ``plain_html`` and
myst-nb alone builds a page for each marked ``myst_nb``; ``--to digitheat-html`` and the
Sphinx extension must then show the grids' pictures, warn with ``names`` (what is
wrong), and never crash. Each entry changes a notebook that holds a saved state (its
``metadata.widgets``) in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digitheat_widget.export.saved_state import WIDGET_STATE


@dataclass(frozen=True)
class Malformed:
    change: Callable[[Any], None]
    names: str
    plain_html: bool = True
    myst_nb: bool = True


def _saved(nb: Any) -> dict[str, Any]:
    return nb["metadata"]["widgets"][WIDGET_STATE]


def controller_id(nb: Any) -> str:
    """The first grid controller's model id in the notebook's saved state."""
    return next(key for key, model in _saved(nb)["state"].items()
                if "geometry" in model["state"])


def _controller(nb: Any) -> dict[str, Any]:
    return _saved(nb)["state"][controller_id(nb)]


def _set(nb: Any, key: str, value: Any) -> None:
    _controller(nb)[key] = value


def _state_list(nb: Any) -> None:
    _saved(nb)["state"] = list(_saved(nb)["state"].values())


def _no_key(key: str) -> Callable[[Any], None]:
    return lambda nb: _controller(nb).pop(key)


def _null_model(nb: Any) -> None:
    _saved(nb)["state"][controller_id(nb)] = None


def _shape(shape: Any) -> Callable[[Any], None]:
    return lambda nb: _controller(nb)["state"]["data"].__setitem__("shape", shape)


def _saved_list(nb: Any) -> None:
    nb["metadata"]["widgets"][WIDGET_STATE] = list(_saved(nb)["state"].values())


def _view_name_list(nb: Any) -> None:
    _controller(nb)["state"]["_view_name"] = ["AnyView"]


def _buffer_not_base64(nb: Any) -> None:
    _controller(nb)["buffers"][0]["data"] = "not base64!"


MALFORMED: dict[str, Malformed] = {
    "state_list": Malformed(_state_list, "'state' is a list"),
    "model_without_state": Malformed(_no_key("state"), "'state' is missing"),
    "model_without_model_module": Malformed(_no_key("model_module"),
                                            "'model_module' is missing"),
    "null_model": Malformed(_null_model, "is null, not an object"),
    "string_state": Malformed(lambda nb: _set(nb, "state", "oops"), "'state' is a string"),
    "string_shape": Malformed(_shape(["ten", "7", "6"]), "data's shape is ['ten', '7', '6']"),
    "numeric_string_shape": Malformed(_shape(["10", "7", "6"]),
                                      "data's shape is ['10', '7', '6']"),
    "shape_not_its_bytes": Malformed(_shape([10, 7, 7]), "need 1960"),
    "view_name_list": Malformed(_view_name_list, "'_view_name' is a list"),
    "buffer_not_base64": Malformed(_buffer_not_base64, "is not valid base64"),
    # nbconvert's --to html and myst-nb fail on these two themselves.
    "saved_state_list": Malformed(_saved_list, "the saved widget state is a list",
                                  plain_html=False, myst_nb=False),
    "widgets_metadata_string": Malformed(
        lambda nb: nb["metadata"].__setitem__("widgets", "oops"),
        "'widgets' metadata is a string", plain_html=False, myst_nb=False),
}
