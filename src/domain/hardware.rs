//! A server's custom hardware and disk sizes, in the ranges and steps the
//! Cloud Panel takes (the reference's `PUT /servers/{id}/hardware` and
//! `hdds`): the create form and the hardware card both parse into these.

/// Custom hardware: 1 to 16 vCores; 1 to 16 cores per processor, at most
/// the vCores and 1, even or all of them; 1 to 128 GB of RAM in steps of 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hardware {
    vcore: u32,
    cores_per_processor: u32,
    /// RAM in half gigabytes, so the step is exact.
    ram_halves: u32,
}

impl Hardware {
    /// Checks the three typed values in form order; the first problem is
    /// answered, and its message names the field.
    pub fn parse(vcore: &str, cores_per_processor: &str, ram: &str) -> Result<Self, String> {
        let vcore: u32 = vcore
            .trim()
            .parse()
            .map_err(|_| "vCores must be a whole number from 1 to 16.".to_owned())?;
        if !(1..=16).contains(&vcore) {
            return Err("vCores must be from 1 to 16.".into());
        }
        let cores: u32 = cores_per_processor
            .trim()
            .parse()
            .map_err(|_| "Cores per processor must be a whole number from 1 to 16.".to_owned())?;
        if !(1..=16).contains(&cores) {
            return Err("Cores per processor must be from 1 to 16.".into());
        }
        if cores > vcore {
            return Err("Cores per processor cannot be greater than the number of vCores.".into());
        }
        // The reference: "valid values are 1, a even number and the total amount of cores".
        if !(cores == 1 || cores.is_multiple_of(2) || cores == vcore) {
            return Err(
                "Cores per processor must be 1, an even number, or the number of vCores.".into(),
            );
        }
        let ram: f64 = ram
            .trim()
            .parse()
            .map_err(|_| "RAM must be a number of GB from 1 to 128.".to_owned())?;
        // NaN and the infinities fail the range; the step check keeps 0.5s only.
        if !(1.0..=128.0).contains(&ram) || (ram * 2.0).fract() != 0.0 {
            return Err("RAM must be from 1 to 128 GB in steps of 0.5.".into());
        }
        Ok(Self {
            vcore,
            cores_per_processor: cores,
            // Exact: a whole number from 2 to 256.
            ram_halves: (ram * 2.0) as u32,
        })
    }

    pub fn vcore(&self) -> u32 {
        self.vcore
    }

    pub fn cores_per_processor(&self) -> u32 {
        self.cores_per_processor
    }

    /// RAM in GB, as the API takes it (`4`, `0.5` steps).
    pub fn ram_gb(&self) -> f64 {
        f64::from(self.ram_halves) / 2.0
    }
}

/// A disk's size: 20 to 2000 GB in steps of 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSize(u32);

impl DiskSize {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let size: u32 = raw
            .trim()
            .parse()
            .map_err(|_| "The disk size must be a whole number of GB.".to_owned())?;
        if !(20..=2000).contains(&size) || !size.is_multiple_of(20) {
            return Err("The disk size must be from 20 to 2000 GB in steps of 20.".into());
        }
        Ok(Self(size))
    }

    pub fn gb(&self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(h: Hardware) -> (u32, u32, f64) {
        (h.vcore(), h.cores_per_processor(), h.ram_gb())
    }

    #[test]
    fn custom_hardware_is_taken_trimmed() {
        let h = Hardware::parse(" 2 ", "1", " 4 ").unwrap();
        assert_eq!(parts(h), (2, 1, 4.0));
        assert_eq!(
            parts(Hardware::parse("4", "4", "1.5").unwrap()),
            (4, 4, 1.5)
        );
    }

    #[test]
    fn the_ends_of_each_range_are_inside() {
        assert_eq!(parts(Hardware::parse("1", "1", "1").unwrap()), (1, 1, 1.0));
        assert_eq!(
            parts(Hardware::parse("16", "16", "128").unwrap()),
            (16, 16, 128.0)
        );
        assert_eq!(Hardware::parse("16", "1", "127.5").unwrap().ram_gb(), 127.5);
    }

    #[test]
    fn vcores_outside_1_to_16_are_refused() {
        for (raw, says) in [
            ("0", "vCores must be from 1 to 16."),
            ("17", "vCores must be from 1 to 16."),
            ("", "vCores must be a whole number from 1 to 16."),
            ("   ", "vCores must be a whole number from 1 to 16."),
            ("-1", "vCores must be a whole number from 1 to 16."),
            ("2.5", "vCores must be a whole number from 1 to 16."),
            (
                "99999999999999999999",
                "vCores must be a whole number from 1 to 16.",
            ),
            ("４", "vCores must be a whole number from 1 to 16."),
            (
                "2; DROP TABLE servers",
                "vCores must be a whole number from 1 to 16.",
            ),
        ] {
            assert_eq!(Hardware::parse(raw, "1", "4").unwrap_err(), says, "{raw:?}");
        }
    }

    #[test]
    fn cores_per_processor_follow_the_references_rule() {
        let e = |vcore, cores| Hardware::parse(vcore, cores, "4").unwrap_err();
        assert_eq!(e("4", "0"), "Cores per processor must be from 1 to 16.");
        assert_eq!(e("16", "17"), "Cores per processor must be from 1 to 16.");
        assert_eq!(
            e("4", "x"),
            "Cores per processor must be a whole number from 1 to 16."
        );
        assert_eq!(
            e("2", "4"),
            "Cores per processor cannot be greater than the number of vCores."
        );
        assert_eq!(
            e("6", "3"),
            "Cores per processor must be 1, an even number, or the number of vCores."
        );
        // Odd but all of them, even, and 1 are fine.
        for (vcore, cores) in [("3", "3"), ("6", "2"), ("6", "6"), ("15", "1")] {
            assert!(
                Hardware::parse(vcore, cores, "4").is_ok(),
                "{vcore}/{cores}"
            );
        }
    }

    #[test]
    fn ram_is_1_to_128_gb_in_half_steps() {
        let e = |ram| Hardware::parse("2", "1", ram).unwrap_err();
        for bad in ["0.5", "128.5", "4.3", "-4", "NaN", "inf", "-inf", "1e9"] {
            assert_eq!(
                e(bad),
                "RAM must be from 1 to 128 GB in steps of 0.5.",
                "{bad}"
            );
        }
        for bad in ["", "four", "4 GB", "4,5", "<script>"] {
            assert_eq!(e(bad), "RAM must be a number of GB from 1 to 128.", "{bad}");
        }
        assert_eq!(Hardware::parse("2", "1", "2.50").unwrap().ram_gb(), 2.5);
    }

    #[test]
    fn the_first_field_in_form_order_is_named() {
        assert!(
            Hardware::parse("x", "x", "x")
                .unwrap_err()
                .starts_with("vCores")
        );
        assert!(
            Hardware::parse("2", "x", "x")
                .unwrap_err()
                .starts_with("Cores per processor")
        );
    }

    #[test]
    fn disk_sizes_follow_the_api_steps() {
        assert_eq!(DiskSize::parse("40").unwrap().gb(), 40);
        assert_eq!(DiskSize::parse(" 20 ").unwrap().gb(), 20);
        assert_eq!(DiskSize::parse("2000").unwrap().gb(), 2000);
        for bad in ["0", "30", "2020", "4294967295"] {
            let e = DiskSize::parse(bad).unwrap_err();
            assert!(
                e.contains("from 20 to 2000 GB in steps of 20"),
                "{bad}: {e}"
            );
        }
        for bad in [
            "",
            " ",
            "-20",
            "40.0",
            "40GB",
            "１００",
            &"9".repeat(100),
            "40\u{0}",
        ] {
            assert_eq!(
                DiskSize::parse(bad).unwrap_err(),
                "The disk size must be a whole number of GB.",
                "{bad:?}"
            );
        }
    }
}
