//! A server's monitoring data, as the charts draw it: one chart per
//! measured resource, its readings taken from the API's samples. A sample
//! whose date cannot be read has no place on a time axis and is left out;
//! a value that is missing or not a number is a gap (the client already
//! reads numbers sent as text).

use crate::cloudpanel::monitoring::{Series as ApiSeries, ServerMonitoring};
use crate::web::charts::lines::{LineChart, Mark, Series, line_chart};

/// What one chart draws from one resource of the answer.
struct Spec {
    id: &'static str,
    title: &'static str,
    /// (field of the samples, the line's name)
    fields: &'static [(&'static str, &'static str)],
    /// Used when the answer names no unit.
    unit: &'static str,
    /// Whether the resource's warning and critical levels share the
    /// samples' unit (transfer's are in kbps, its samples in bps).
    thresholds: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        id: "cpu",
        title: "CPU",
        fields: &[("used_percent", "Used")],
        unit: "%",
        thresholds: true,
    },
    Spec {
        id: "ram",
        title: "RAM",
        fields: &[("used_percent", "Used")],
        unit: "%",
        thresholds: true,
    },
    Spec {
        id: "disk",
        title: "Disk",
        fields: &[("used_percent", "Used")],
        unit: "%",
        thresholds: true,
    },
    Spec {
        id: "transfer",
        title: "Transfer",
        fields: &[("downstream", "In"), ("upstream", "Out")],
        unit: "bps",
        thresholds: false,
    },
    Spec {
        id: "ping",
        title: "Ping (round trip)",
        fields: &[("rta", "Round trip")],
        unit: "ms",
        thresholds: true,
    },
    Spec {
        id: "packet-loss",
        title: "Ping (packets lost)",
        fields: &[("pl", "Lost")],
        unit: "%",
        thresholds: false,
    },
];

/// The charts of a server's monitoring answer, in a fixed order.
pub fn charts(m: &ServerMonitoring) -> Vec<LineChart> {
    SPECS
        .iter()
        .map(|spec| {
            let resource = match spec.id {
                "cpu" => m.cpu.as_ref(),
                "ram" => m.ram.as_ref(),
                "disk" => m.disk.as_ref(),
                "transfer" => m.transfer.as_ref(),
                _ => m.internal_ping.as_ref(),
            };
            chart(spec, resource)
        })
        .collect()
}

fn chart(spec: &Spec, resource: Option<&ApiSeries>) -> LineChart {
    let empty = ApiSeries::default();
    let resource = resource.unwrap_or(&empty);
    let series: Vec<Series> = spec
        .fields
        .iter()
        .map(|(field, label)| Series {
            label: (*label).to_owned(),
            points: resource
                .data
                .iter()
                .filter_map(|s| s.date.parsed().map(|at| (at, s.get(field))))
                .collect(),
        })
        .collect();
    let unit = spec
        .fields
        .first()
        .and_then(|(field, _)| resource.unit.get(*field))
        .and_then(|u| u.as_str())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or(spec.unit);
    let mut marks = Vec::new();
    if spec.thresholds {
        if let Some(value) = resource.warning {
            marks.push(Mark {
                label: "Warning".into(),
                value,
                kind: "warning",
            });
        }
        if let Some(value) = resource.critical {
            marks.push(Mark {
                label: "Critical".into(),
                value,
                kind: "critical",
            });
        }
    }
    line_chart(spec.id, spec.title, unit, &series, &marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(v: serde_json::Value) -> ServerMonitoring {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn every_resource_gets_a_chart_and_missing_ones_say_so() {
        let m = answer(json!({
            "cpu": {"warning": 90, "critical": 95, "unit": {"used_percent": "%"}, "data": [
                {"date": "2024-05-01T00:00:00Z", "used_percent": 10},
                {"date": "2024-05-01T00:05:00Z", "used_percent": "12.5"},
                {"date": "2024-05-01T00:10:00Z", "used_percent": "n/a"},
                {"date": "2024-19-01T00:15:00Z", "used_percent": 99},
                {"date": "2024-05-01T00:20:00Z"}
            ]},
            "transfer": {"critical": 2000, "data": [
                {"date": "2024-05-01T00:00:00Z", "downstream": 100, "upstream": "50"}
            ], "unit": {"downstream": "bps"}},
            "disk": {"warning": 80, "critical": 90, "status": "OK"}
        }));
        let charts = charts(&m);
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["cpu", "ram", "disk", "transfer", "ping", "packet-loss"]
        );
        let cpu = &charts[0];
        assert!(!cpu.empty);
        // The month-19 sample has no place; text and missing values are gaps.
        assert_eq!(cpu.rows.len(), 4);
        assert_eq!(cpu.rows[1].cells, ["12.5"]);
        assert_eq!(cpu.rows[2].cells, ["–"]);
        assert_eq!(cpu.marks.len(), 2);
        assert!(
            charts[1].empty && charts[2].empty,
            "no data: said, not drawn"
        );
        let transfer = &charts[3];
        assert_eq!(transfer.columns, ["In", "Out"]);
        assert_eq!(transfer.rows[0].cells, ["100", "50"]);
        assert!(
            transfer.marks.is_empty(),
            "kbps levels are not drawn on bps"
        );
        assert_eq!(transfer.unit, "bps");
    }
}
