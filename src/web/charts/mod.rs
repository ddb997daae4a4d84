//! Charts drawn on the server as SVG, so a page can be read without scripts:
//! line charts of measurements over time (`lines`) and bar charts of amounts
//! (`bars`).

pub mod bars;
pub mod lines;
