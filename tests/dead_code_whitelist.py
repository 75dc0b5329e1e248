"""Names vulture cannot see used: attributes set on python-docx and openpyxl objects, names read by templates,
tests and the libraries that call them. `make lint` passes this file to vulture with pipeline/."""
# ruff: noqa

# Set on python-docx, openpyxl and zipfile objects, which read them when they save.
_.alignment
_.author
_.autofit
_.base_style
_.bottom_margin
_.comments
_.compress_type
_.creator
_.first_line_indent
_.footer_distance
_.header_distance
_.identifier
_.italic
_.keep_with_next
_.keywords
_.last_modified_by
_.left_indent
_.left_margin
_.line_spacing
_.line_spacing_rule
_.modified
_.number_format
_.odd_and_even_pages_header_footer
_.page_break_before
_.page_height
_.page_width
_.revision
_.rgb
_.right_indent
_.right_margin
_.space_after
_.space_before
_.subject
_.top_margin
_.widow_control
# Read by templates (jinja): ctx.benefit_categories, block.svg, doc.annex_parts(), the first screen's tiles.
benefit_categories
svg
_.annex_parts
money_fen
lights_of
per_district
# Called by the libraries: HTMLParser handlers, click commands, context-manager arguments, click exceptions.
_.handle_startendtag
_.handle_data
demo
tb
_.show
# Read by tests as the identity of a household, a submission and a cache that is off.
head_id
_.submission_of
_.disabled_reason
# pipeline/__init__.py: the module-level __getattr__ Python calls for the lazily imported run, check and rollup.
__getattr__
# summary_model.py: fields typed_json writes and reads by walking dataclasses.fields, never by name.
funds_wan
ties
entered_monthly_fen
left_monthly_fen
payment_share
quarters_compared
status_backwards
entered_households
left_households
payment_changes
