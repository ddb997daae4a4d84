//! Bar charts of amounts, as inline SVG.
