"""Sphinx configuration of the skdnn documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` from the repository
root. The build runs every ``examples/plot_*.py`` script (sphinx-gallery).
"""

import os
import sys
import warnings

# The package is imported from the repository, not from an installed copy.
sys.path.insert(0, os.path.abspath(".."))

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

# autodoc / autosummary: stub pages are generated into gen_modules/ (git-ignored)
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
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

# Example output is part of the docs; a stray warning there should not fail a
# build run with -W (sphinx-gallery reports it in the example page instead).
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg",
)
