"""Sphinx configuration of the skdnn documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` from the repository
root. The build runs every ``examples/plot_*.py`` script (sphinx-gallery).
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

# numpydoc: methods are documented by autodoc (see _templates/class.rst), so
# numpydoc must not add a second, autosummary-based listing of them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# intersphinx needs to download the inventories of other projects; the docs are
# built offline, so no mapping is configured (references to scikit-learn and
# NumPy render as plain code).
intersphinx_mapping = {}

# -- HTML --------------------------------------------------------------------------
html_theme = "alabaster"
html_theme_options = {
    "description": "Deep feed-forward networks for scikit-learn, on Numba",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_static_path = []
html_title = f"skdnn {release}"

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


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_xrefs)
