//! Registration sites and mobile stations of the civil registry: a mobile station spends a day at a care
//! home, a camp, a remote area or a hospital, on a schedule; the people it registers there (card
//! applications, record updates) are kept per visit. One place a day per station; visits only today or
//! later, within working hours, in the station's governorate.

use tamwin_domain::Geography;
use tamwin_store::{CivilStore, RegistrationSite, StationVisit, StoreError};

pub const PLACE_KINDS: [&str; 4] = ["care_home", "camp", "remote_area", "hospital"];
pub const SERVICES: [&str; 3] = ["card_application", "card_with_delivery", "record_update"];
/// Mobile stations work between these hours (Baghdad time).
pub const DAY_STARTS: &str = "07:00";
pub const DAY_ENDS: &str = "20:00";

/// Why a request was refused: a stable code and the message in Arabic and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message_ar: &'static str,
    pub message_en: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.message_en, self.code, self.message_ar
        )
    }
}
impl std::error::Error for Refusal {}

const fn refuse(code: &'static str, message_ar: &'static str, message_en: &'static str) -> Refusal {
    Refusal {
        code,
        message_ar,
        message_en,
    }
}

const UNAVAILABLE: Refusal = refuse(
    "registry_unavailable",
    "سجل الأحوال المدنية غير متاح الآن",
    "the civil registry is unavailable now",
);

fn store_err(e: StoreError) -> Refusal {
    tracing::warn!("stations: {e}");
    UNAVAILABLE
}

pub struct Stations<'a> {
    pub store: &'a dyn CivilStore,
    pub geo: &'a Geography,
    pub now: jiff::Timestamp,
}

fn hhmm(s: &str) -> Option<String> {
    let t: jiff::civil::Time = s.trim().parse().ok()?;
    Some(t.strftime("%H:%M").to_string())
}

impl Stations<'_> {
    fn today(&self) -> String {
        self.now
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(3)))
            .date()
            .to_string()
    }

    fn text(v: &str) -> Result<String, Refusal> {
        let t = v.trim();
        if t.is_empty() || tamwin_domain::check_free_text("name", t, 120).is_some() {
            return Err(refuse(
                "name_invalid",
                "الاسم فارغ أو غير صالح",
                "the name is empty or not valid text",
            ));
        }
        Ok(t.to_string())
    }

    pub async fn add_site(
        &self,
        kind: &str,
        name: &str,
        district: &str,
    ) -> Result<RegistrationSite, Refusal> {
        if !matches!(kind, "office" | "mobile") {
            return Err(refuse(
                "site_kind_unknown",
                "نوع الموقع غير معروف (مكتب أو محطة متنقلة)",
                "unknown site kind (office or mobile)",
            ));
        }
        let d = self.geo.district(district).ok_or(refuse(
            "district_unknown",
            "القضاء غير معروف",
            "unknown district",
        ))?;
        let s = RegistrationSite {
            site_id: uuid::Uuid::now_v7().to_string(),
            kind: kind.into(),
            name: Self::text(name)?,
            governorate: d.governorate_code.clone(),
            district: d.code.clone(),
            created_at: self.now,
        };
        self.store.save_site(&s).await.map_err(store_err)?;
        Ok(s)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn schedule(
        &self,
        site_id: &str,
        place_kind: &str,
        place_name: &str,
        district: &str,
        date: &str,
        starts: &str,
        ends: &str,
    ) -> Result<StationVisit, Refusal> {
        let site = self
            .store
            .site(site_id)
            .await
            .map_err(store_err)?
            .ok_or(refuse("site_unknown", "الموقع غير معروف", "unknown site"))?;
        if site.kind != "mobile" {
            return Err(refuse(
                "site_not_mobile",
                "هذا الموقع مكتب ثابت وليس محطة متنقلة",
                "this site is an office, not a mobile station",
            ));
        }
        if !PLACE_KINDS.contains(&place_kind) {
            return Err(refuse(
                "place_kind_unknown",
                "نوع المكان غير معروف (دار رعاية، مخيم، منطقة نائية، مستشفى)",
                "unknown place kind (care_home, camp, remote_area, hospital)",
            ));
        }
        let d = self.geo.district(district).ok_or(refuse(
            "district_unknown",
            "القضاء غير معروف",
            "unknown district",
        ))?;
        if d.governorate_code != site.governorate {
            return Err(refuse(
                "district_outside_governorate",
                "القضاء خارج محافظة المحطة",
                "the district is outside the station's governorate",
            ));
        }
        let day: jiff::civil::Date =
            tamwin_text_ar::fold_digits(date.trim())
                .parse()
                .map_err(|_| {
                    refuse(
                        "date_invalid",
                        "التاريخ غير صالح",
                        "not a date (YYYY-MM-DD)",
                    )
                })?;
        if day.to_string() < self.today() {
            return Err(refuse(
                "visit_in_past",
                "لا تُجدول زيارة في يوم مضى",
                "a visit cannot be scheduled in the past",
            ));
        }
        let (Some(from), Some(to)) = (hhmm(starts), hhmm(ends)) else {
            return Err(refuse(
                "visit_hours_invalid",
                "ساعات الزيارة غير صالحة",
                "visit hours are not valid times (HH:MM)",
            ));
        };
        if from >= to || from.as_str() < DAY_STARTS || to.as_str() > DAY_ENDS {
            return Err(refuse(
                "visit_hours_invalid",
                "ساعات الزيارة يجب أن تكون بين ٠٧:٠٠ و٢٠:٠٠ وأن تبدأ قبل أن تنتهي",
                "visit hours must fall between 07:00 and 20:00 and start before they end",
            ));
        }
        let v = StationVisit {
            visit_id: uuid::Uuid::now_v7().to_string(),
            site_id: site.site_id,
            place_kind: place_kind.into(),
            place_name: Self::text(place_name)?,
            district: d.code.clone(),
            visit_date: day.to_string(),
            starts: from,
            ends: to,
            status: "scheduled".into(),
            created_at: self.now,
            registered: 0,
        };
        match self.store.save_visit(&v).await {
            Ok(()) => Ok(v),
            Err(StoreError::Conflict(..)) => Err(refuse(
                "station_busy_that_day",
                "المحطة مجدولة في مكان آخر في ذلك اليوم",
                "the station is already scheduled elsewhere that day",
            )),
            Err(e) => Err(store_err(e)),
        }
    }

    async fn visit(&self, visit_id: &str) -> Result<StationVisit, Refusal> {
        self.store
            .visit(visit_id)
            .await
            .map_err(store_err)?
            .ok_or(refuse(
                "visit_unknown",
                "الزيارة غير معروفة",
                "unknown visit",
            ))
    }

    /// Registers a person at today's visit; false if they were registered there already.
    pub async fn register(
        &self,
        visit_id: &str,
        national_id: &str,
        service: &str,
    ) -> Result<bool, Refusal> {
        let v = self.visit(visit_id).await?;
        if v.status != "scheduled" || v.visit_date != self.today() {
            return Err(refuse(
                "visit_not_open",
                "التسجيل ممكن فقط في يوم الزيارة وقبل إغلاقها",
                "registration is open only on the visit's day, until it is closed",
            ));
        }
        if !SERVICES.contains(&service) {
            return Err(refuse(
                "service_unknown",
                "الخدمة غير معروفة",
                "unknown service (card_application, card_with_delivery, record_update)",
            ));
        }
        let id = tamwin_domain::NationalId::parse(national_id).map_err(|_| {
            refuse(
                "national_id_invalid",
                "رقم البطاقة الوطنية غير صالح",
                "not a valid national ID",
            )
        })?;
        let p = self
            .store
            .civil_person(id.as_str())
            .await
            .map_err(store_err)?
            .ok_or(refuse(
                "person_unknown",
                "لا يوجد شخص بهذا الرقم في السجل",
                "no person with this national ID on file",
            ))?;
        if p.death_date.is_some() {
            return Err(refuse(
                "person_deceased",
                "صاحب الرقم متوفى",
                "the holder is deceased",
            ));
        }
        self.store
            .register_at_visit(&v.visit_id, id.as_str(), service, self.now)
            .await
            .map_err(store_err)
    }

    /// Closes a visit (`done`), or cancels one nobody was registered at.
    pub async fn close(&self, visit_id: &str, cancel: bool) -> Result<(), Refusal> {
        let v = self.visit(visit_id).await?;
        if cancel && v.registered > 0 {
            return Err(refuse(
                "visit_has_registrations",
                "لا تُلغى زيارة سُجّل فيها أشخاص؛ أغلقها",
                "a visit with registrations is closed, not cancelled",
            ));
        }
        let to = if cancel { "cancelled" } else { "done" };
        if !self
            .store
            .set_visit_status(visit_id, "scheduled", to)
            .await
            .map_err(store_err)?
        {
            return Err(refuse(
                "visit_not_open",
                "الزيارة مغلقة أو ملغاة من قبل",
                "the visit was already closed or cancelled",
            ));
        }
        Ok(())
    }
}
