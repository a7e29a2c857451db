//! The history as a FHIR R4 `Bundle` of type `collection`, for a clinic's systems.
//!
//! In: the store's run totals and pain ratings; out: one JSON document. One `Patient`
//! placeholder (no name, no identifier: backform keeps no identity) that every
//! `Observation` points at; every Observation `status: final` with its
//! `effectiveDateTime`. Pain is LOINC 72514-3 in `{score}`, an exercise's duration LOINC
//! 55411-3 in minutes (UCUM), and what LOINC has no code for — reps completed, holds
//! completed, form faults — uses the local code system [`CODE_SYSTEM`]
//! (`docs/history.md`). Ids are name-based UUIDs of what they stand for, so the same
//! history exports the same resources.

use serde_json::{Value, json};

use super::export::utc_datetime;
use super::store::{PainInput, RunSummary};

/// backform's own codes (documented in `docs/history.md`); `.invalid` never resolves.
pub const CODE_SYSTEM: &str = "http://backform.invalid/fhir/CodeSystem/exercise";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

/// A stable `urn:uuid:` for `name` (UUID v5 in the URL namespace).
fn urn(name: &str) -> String {
    format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("backform:{name}").as_bytes()
        )
    )
}

fn quantity(value: f64, unit: &str) -> Value {
    json!({ "value": value, "unit": unit, "system": UCUM, "code": unit })
}

fn local(code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": CODE_SYSTEM, "code": code, "display": display }], "text": display })
}

/// One Observation entry.
fn observation(
    id: &str,
    patient: &str,
    code: Value,
    when_unix_s: f64,
    value: Value,
    components: Vec<Value>,
) -> Value {
    let url = urn(id);
    let mut resource = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": code,
        "subject": { "reference": patient },
        "effectiveDateTime": utc_datetime(when_unix_s),
        "valueQuantity": value,
    });
    if !components.is_empty()
        && let Some(map) = resource.as_object_mut()
    {
        map.insert("component".into(), Value::Array(components));
    }
    json!({ "fullUrl": url, "resource": resource })
}

/// A component naming the exercise and session an Observation belongs to.
fn context(run: &RunSummary) -> Vec<Value> {
    vec![
        json!({ "code": local("exercise", "Exercise"), "valueString": run.exercise }),
        json!({ "code": local("session", "Session"), "valueString": run.session_id }),
        json!({ "code": local("end-reason", "How the exercise ended"), "valueString": run.end_reason }),
    ]
}

/// The whole history as a FHIR R4 collection Bundle.
pub fn bundle(runs: &[RunSummary], pains: &[PainInput]) -> Value {
    let patient = urn("patient");
    let mut entries = vec![json!({
        "fullUrl": patient,
        "resource": { "resourceType": "Patient", "active": true },
    })];
    for run in runs {
        let key = format!("{}/{}/{}", run.session_id, run.exercise, run.ended_unix_s);
        let duration = json!({
            "coding": [{ "system": LOINC, "code": "55411-3", "display": "Exercise duration" }],
            "text": format!("Exercise duration: {}", run.name),
        });
        entries.push(observation(
            &format!("{key}/duration"),
            &patient,
            duration,
            run.ended_unix_s,
            quantity(run.duration_s / 60.0, "min"),
            context(run),
        ));
        entries.push(observation(
            &format!("{key}/reps"),
            &patient,
            local("reps-completed", "Repetitions completed"),
            run.ended_unix_s,
            quantity(f64::from(run.reps_total), "{reps}"),
            context(run),
        ));
        entries.push(observation(
            &format!("{key}/holds"),
            &patient,
            local("holds-completed", "Holds completed"),
            run.ended_unix_s,
            quantity(f64::from(run.holds_completed), "{holds}"),
            context(run),
        ));
        for (fault, count) in &run.faults {
            let mut components = context(run);
            components.push(json!({ "code": local("fault-code", "Fault"), "valueString": fault }));
            entries.push(observation(
                &format!("{key}/fault/{fault}"),
                &patient,
                local("form-fault", "Form faults observed"),
                run.ended_unix_s,
                quantity(f64::from(*count), "{occurrences}"),
                components,
            ));
        }
    }
    for pain in pains {
        let code = json!({
            "coding": [{
                "system": LOINC,
                "code": "72514-3",
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }],
            "text": "Pain (0-10)",
        });
        let components = vec![
            json!({ "code": local("pain-moment", "When pain was rated"), "valueString": pain.moment }),
            json!({ "code": local("session", "Session"), "valueString": pain.session_id }),
        ];
        entries.push(observation(
            &format!("{}/pain/{}/{}", pain.session_id, pain.moment, pain.unix_s),
            &patient,
            code,
            pain.unix_s,
            quantity(f64::from(pain.score), "{score}"),
            components,
        ));
    }
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> RunSummary {
        RunSummary {
            session_id: "s1".into(),
            exercise: "pelvic-rock".into(),
            name: "Pelvic rocks".into(),
            end_reason: "completed".into(),
            ended_unix_s: 1_796_256_000.0,
            duration_s: 90.0,
            reps_total: 20,
            holds_completed: 0,
            faults: vec![("shoulders-sway".into(), 3)],
            counted_by: crate::history::store::CountedBy::default(),
        }
    }

    fn pain(moment: &str, score: u8) -> PainInput {
        PainInput {
            session_id: "s1".into(),
            unix_s: 1_796_255_900.0,
            moment: moment.into(),
            score,
        }
    }

    fn observations(b: &Value) -> Vec<&Value> {
        b["entry"]
            .as_array()
            .map(|e| e.iter().map(|x| &x["resource"]).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["resourceType"] == "Observation")
            .collect()
    }

    #[test]
    fn a_collection_of_final_observations_about_one_anonymous_patient() {
        let b = bundle(
            &[run()],
            &[pain("before_session", 4), pain("after_session", 2)],
        );
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        let entries = b["entry"].as_array().unwrap();
        let patient = &entries[0];
        assert_eq!(patient["resource"]["resourceType"], "Patient");
        assert!(patient["resource"].get("name").is_none());
        assert!(patient["resource"].get("identifier").is_none());
        let patient_url = patient["fullUrl"].as_str().unwrap();
        assert!(patient_url.starts_with("urn:uuid:"));
        let obs = observations(&b);
        // duration, reps, holds, one fault code, two pain ratings
        assert_eq!(obs.len(), 6);
        for o in &obs {
            assert_eq!(o["status"], "final");
            assert_eq!(o["subject"]["reference"], patient_url);
            assert!(o["effectiveDateTime"].as_str().unwrap().ends_with('Z'));
        }
        // Every fullUrl is distinct.
        let mut urls: Vec<&str> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        urls.sort_unstable();
        urls.dedup();
        assert_eq!(urls.len(), entries.len());
    }

    #[test]
    fn pain_and_duration_carry_their_loinc_codes_and_ucum_units() {
        let b = bundle(&[run()], &[pain("after_stop", 6)]);
        let obs = observations(&b);
        let with = |code: &str| {
            obs.iter()
                .find(|o| o["code"]["coding"][0]["code"] == code)
                .copied()
                .unwrap()
        };
        let pain = with("72514-3");
        assert_eq!(pain["code"]["coding"][0]["system"], LOINC);
        assert_eq!(pain["valueQuantity"]["value"], 6.0);
        assert_eq!(pain["valueQuantity"]["code"], "{score}");
        assert_eq!(pain["valueQuantity"]["system"], UCUM);
        let duration = with("55411-3");
        assert_eq!(duration["valueQuantity"]["value"], 1.5);
        assert_eq!(duration["valueQuantity"]["unit"], "min");
        let reps = with("reps-completed");
        assert_eq!(reps["code"]["coding"][0]["system"], CODE_SYSTEM);
        assert_eq!(reps["valueQuantity"]["value"], 20.0);
        let fault = with("form-fault");
        assert_eq!(fault["valueQuantity"]["value"], 3.0);
        assert!(
            fault["component"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["valueString"] == "shoulders-sway")
        );
    }

    #[test]
    fn the_same_history_exports_the_same_ids() {
        let a = bundle(&[run()], &[pain("before_session", 4)]);
        let b = bundle(&[run()], &[pain("before_session", 4)]);
        assert_eq!(a, b);
    }
}
