"""What this site needs beyond Sphinx, myst-nb and digitheat_widget.sphinx.

* Traits in the API reference: autodoc documents a ``traitlets`` trait of a class as an
  attribute whose text is the trait's ``help=``, with its default and whether it is
  read-only (``TraitDocumenter``).
* Math as MathML, written at build time from the TeX (docutils' ``latex2mathml``):
  browsers draw it and screen readers read it, and no page loads MathJax from a CDN.
* ``{cli-help}``: the command line's ``--help``, from its own parser.
"""

from __future__ import annotations

import os
from typing import Any

import traitlets
from docutils import nodes
from docutils.utils.math.latex2mathml import tex2mathml
from sphinx.application import Sphinx
from sphinx.ext.autodoc import (
    AttributeDocumenter,
    ClassDocumenter,
    ClassLevelDocumenter,
    PropertyDocumenter,
)
from sphinx.util import inspect
from sphinx.util.docutils import SphinxDirective
from sphinx.util.inspect import stringify_signature


class TraitDocumenter(AttributeDocumenter):
    """A trait of a class: its ``help=`` text, default and read-only state."""

    objtype = "trait"
    directivetype = "attribute"
    priority = AttributeDocumenter.priority + 10
    member_order = 30  # a class' traits first, then its properties, then its methods

    @classmethod
    def can_document_member(cls, member: Any, membername: str, isattr: bool,
                            parent: Any) -> bool:
        return isinstance(member, traitlets.TraitType) and isinstance(parent, ClassDocumenter)

    def add_directive_header(self, sig: str) -> None:
        ClassLevelDocumenter.add_directive_header(self, sig)

    def get_doc(self) -> list[list[str]]:
        trait: traitlets.TraitType = self.object
        lines = [line.strip() for line in (trait.help or "").splitlines()] or [""]
        default = trait.default_value_repr()
        if default not in ("traitlets.Undefined", "None") or trait.allow_none:
            lines += ["", f"Default: ``{default}``."]
        if trait.read_only:
            lines += ["", "Read-only."]
        return [lines]


class OrderedPropertyDocumenter(PropertyDocumenter):
    """Properties after the traits and before the methods (autodoc's groupwise order),
    their docstrings as written: napoleon would read a first line such as "The limits in
    force: ..." as a type and a description."""

    priority = PropertyDocumenter.priority + 1
    member_order = 40

    def process_doc(self, docstrings: list[list[str]]) -> Any:
        for lines in docstrings:
            yield from lines


def _init_signature(app: Sphinx, what: str, name: str, obj: Any, options: Any,
                    signature: str | None, return_annotation: str | None) -> Any:
    """A traitlets class' signature is its ``__init__``'s (autodoc would show
    ``HasTraits.__new__``'s ``*args, **kwargs``)."""
    if what != "class" or not (isinstance(obj, type) and issubclass(obj, traitlets.HasTraits)):
        return None
    if "__init__" not in vars(obj):
        return None
    found = inspect.signature(obj.__init__, bound_method=True)
    return stringify_signature(found, show_return_annotation=False,
                               unqualified_typehints=True), None


def _mathml_inline(self: Any, node: nodes.Element) -> None:
    self.body.append(tex2mathml(node.astext()))
    raise nodes.SkipNode


def _mathml_block(self: Any, node: nodes.Element) -> None:
    self.body.append(f'<div class="math">{tex2mathml(node.astext(), as_block=True)}</div>')
    raise nodes.SkipNode


class CliHelp(SphinxDirective):
    """``python -m digitheat_widget --help``, as its parser writes it."""

    def run(self) -> list[nodes.Node]:
        from digitheat_widget.__main__ import _parser

        columns = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "90"
        try:
            text = _parser().format_help()
        finally:
            if columns is None:
                os.environ.pop("COLUMNS")
            else:
                os.environ["COLUMNS"] = columns
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.autodoc")
    app.add_autodocumenter(TraitDocumenter)
    app.add_autodocumenter(OrderedPropertyDocumenter, override=True)
    app.add_html_math_renderer("mathml", (_mathml_inline, None), (_mathml_block, None))
    app.add_directive("cli-help", CliHelp)
    app.connect("autodoc-process-signature", _init_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
