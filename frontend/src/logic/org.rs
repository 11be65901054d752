//! The org tree as the intake form's cascading picker sees it: the villages of the town, the
//! areas of a village, the groups of an area.

use shared::model::{OrgLevel, OrgUnit};

/// The units of `level` directly below `parent` (or every unit of `level` when `parent` is
/// `None`), sorted by name.
pub fn units_below(units: &[OrgUnit], parent: Option<i64>, level: OrgLevel) -> Vec<OrgUnit> {
    let mut found: Vec<OrgUnit> = units
        .iter()
        .filter(|u| u.level == level && (parent.is_none() || u.parent_id == parent))
        .cloned()
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The name of a unit, if known.
pub fn unit_name(units: &[OrgUnit], id: i64) -> Option<String> {
    units.iter().find(|u| u.id == id).map(|u| u.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: i64, level: OrgLevel, name: &str) -> OrgUnit {
        OrgUnit {
            id,
            parent_id: Some(parent),
            level,
            name: name.into(),
        }
    }

    #[test]
    fn the_picker_cascades_village_area_group() {
        let units = vec![
            unit(1, 0, OrgLevel::Town, "瓜州镇"),
            unit(3, 1, OrgLevel::Village, "西村"),
            unit(2, 1, OrgLevel::Village, "东村"),
            unit(10, 2, OrgLevel::Area, "东村一片"),
            unit(11, 3, OrgLevel::Area, "西村一片"),
            unit(20, 10, OrgLevel::Group, "一组"),
        ];
        let villages: Vec<i64> = units_below(&units, None, OrgLevel::Village)
            .iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(villages, vec![2, 3]);
        let areas: Vec<i64> = units_below(&units, Some(2), OrgLevel::Area)
            .iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(areas, vec![10]);
        assert_eq!(units_below(&units, Some(10), OrgLevel::Group).len(), 1);
        assert!(units_below(&units, Some(11), OrgLevel::Group).is_empty());
        assert_eq!(unit_name(&units, 3).as_deref(), Some("西村"));
    }
}
