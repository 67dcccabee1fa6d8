"""Sphinx configuration of the skdnn documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` from the repository
root. The build runs every ``examples/plot_*.py`` script (sphinx-gallery); set the
environment variable ``SKDNN_DOCS_NO_GALLERY=1`` to skip running them while
editing the other pages (the gallery pages are then built without outputs).
It also draws the chart of the performance page (see ``_charts/throughput.py``).
"""

import os
import re
import sys

# The package is imported from the repository, not from an installed copy.
sys.path.insert(0, os.path.abspath(".."))

# sphinx-gallery resolves the names an example uses before running it; without
# this import, sklearn.model_selection.HalvingGridSearchCV raises ImportError
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401

import skdnn  # noqa: E402

# -- Charts ----------------------------------------------------------------------
# The performance page's chart is drawn from the numbers of its own throughput
# table at every build (docs/_static/throughput.png, git-ignored), so the two
# cannot drift apart.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_charts"))
import throughput  # noqa: E402

throughput.main()

# -- Project ---------------------------------------------------------------------
project = "skdnn"
author = "The skdnn developers"
copyright = "2025, The skdnn developers"
version = skdnn.__version__
release = skdnn.__version__

# -- General ---------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"

# autodoc / autosummary: stub pages are generated into gen_modules/ (git-ignored).
# Inherited scikit-learn methods (get_params, set_params, score) are documented;
# the metadata-routing request methods scikit-learn adds are left out.
autosummary_generate = True
autodoc_default_options = {
    "members": True,
    "inherited-members": True,
    "exclude-members": (
        "get_metadata_routing, set_fit_request, set_partial_fit_request, "
        "set_score_request"
    ),
}
autodoc_typehints = "none"
# "On this page" lists a class's methods as fit(), predict(), ... (not
# MLPClassifier.fit(), which the narrow sidebar cuts off).
toc_object_entries_show_parents = "hide"

# numpydoc: methods are documented by autodoc (see _templates/class.rst), so
# numpydoc must not add a second, autosummary-based listing of them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# intersphinx needs to download the inventories of other projects; the docs are
# built offline, so no mapping is configured (references to scikit-learn and
# NumPy render as plain code).
intersphinx_mapping = {}

# -- HTML --------------------------------------------------------------------------
# pydata-sphinx-theme, the theme of scikit-learn and most scikit-learn-contrib
# projects. The project has no public URL yet, so there are no repository or
# version-switcher links in the navbar.
html_theme = "pydata_sphinx_theme"
html_theme_options = {
    "navbar_start": ["navbar-logo"],
    "navbar_center": ["navbar-nav"],
    "navbar_end": ["theme-switcher"],
    "navbar_persistent": ["search-button"],
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# The left sidebar lists a page's sub-pages; pages without any get none, which
# leaves their text (and the performance page's wide tables) the full width.
html_sidebars = {
    page: []
    for page in (
        "index",
        "getting_started",
        "user_guide",
        "objective",
        "differences",
        "performance",
        "architecture",
    )
}
html_static_path = []
html_title = f"skdnn {release}"
html_short_title = "skdnn"

# -- sphinx-gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skdnn",),
    "backreferences_dir": os.path.join("gen_modules", "backreferences"),
    "reference_url": {"skdnn": None},
    "min_reported_time": 0,
    "remove_config_comments": True,
    "show_memory": False,
    # SKDNN_DOCS_NO_GALLERY=1: build the gallery pages without running the
    # examples (a quick build for editing; CI and releases run them all).
    "plot_gallery": os.environ.get("SKDNN_DOCS_NO_GALLERY", "") not in ("1", "true"),
}


# -- Inherited scikit-learn docstrings --------------------------------------------
# Methods inherited from scikit-learn (e.g. ``score``) link to labels and glossary
# terms of scikit-learn's own documentation. Without intersphinx those targets do
# not exist here, so the links are rendered as plain text.
_SKLEARN_XREF = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^`>]*)>)?`")


def _plain_sklearn_xrefs(app, what, name, obj, options, lines):
    if not (getattr(obj, "__module__", None) or "").startswith("sklearn"):
        return
    lines[:] = [
        _SKLEARN_XREF.sub(lambda m: m.group(1) or m.group(2), line) for line in lines
    ]


# -- Summary tables ------------------------------------------------------------------
# A docstring's first line may cite a reference (``[1]_``); numpydoc renames the
# citation to a unique label, which an autosummary table would print as
# "[R9808e4da6383-3]". The tables show the summary without it (the object's own
# page keeps the citation and its reference).
def _drop_citations_in_summaries(app, doctree):
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.ext.autosummary import autosummary_table

    for table in doctree.findall(autosummary_table):
        for ref in list(table.findall(addnodes.pending_xref)):
            if ref.get("refdomain") != "citation":
                continue
            previous = ref.parent.index(ref) - 1
            if previous >= 0 and isinstance(ref.parent[previous], nodes.Text):
                text = ref.parent[previous]
                ref.parent.replace(text, nodes.Text(text.rstrip()))
            ref.parent.remove(ref)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_xrefs)
    app.connect("doctree-read", _drop_citations_in_summaries)
