//! Line charts of measurements over time, as inline SVG.
