//! The routes of distribution (issue 16): outlets and their stock, collections at outlets, the
//! family's collections and complaints, the outlet's and supervisors' pages, and the household's powers
//! of attorney (issue 17); added to the one table by `routes()`.

use crate::routes::Routes;
use crate::{api, pages};
use axum::routing::{get, post};

impl Routes {
    pub(crate) fn outlets(self) -> Self {
        self.add(
            "post",
            "/api/v1/outlet/redemptions",
            post(api::outlets::redeem),
        )
        .add("get", "/api/v1/outlet/redemptions", get(api::outlets::day))
        .add(
            "post",
            "/api/v1/outlet/redemptions/void",
            post(api::outlets::void),
        )
        .add(
            "post",
            "/api/v1/outlet/collection-codes",
            post(api::outlets::collection_code),
        )
        .add(
            "post",
            "/api/v1/outlet/proxy-codes",
            post(api::proxies::outlet_proxy_code),
        )
        .add(
            "post",
            "/api/v1/outlet/proxy-grants",
            post(api::proxies::outlet_proxy_grant),
        )
        .add("get", "/api/v1/outlets", get(api::outlets::outlets))
        .add(
            "post",
            "/api/v1/outlets/{outlet}/licence",
            post(api::outlets::licence),
        )
        .add(
            "post",
            "/api/v1/outlets/{outlet}/households-move",
            post(api::outlets::move_households),
        )
        .add(
            "post",
            "/api/v1/households/{card_number}/agent",
            post(api::outlets::assign_agent),
        )
        .add(
            "post",
            "/api/v1/households/{card_number}/card-qr",
            post(api::outlets::reissue_card_qr),
        )
        .add("get", "/api/v1/me/card-qr", get(api::outlets::my_card_qr))
        .add(
            "post",
            "/api/v1/me/complaints",
            post(api::outlets::file_complaint),
        )
        .add(
            "get",
            "/api/v1/me/complaints",
            get(api::outlets::my_complaints),
        )
        .add(
            "get",
            "/api/v1/households/{card_number}/proxies",
            get(api::proxies::household_proxies),
        )
        .add(
            "post",
            "/api/v1/me/proxies",
            post(api::proxies::grant_proxy),
        )
        .add("get", "/api/v1/me/proxies", get(api::proxies::my_proxies))
        .add(
            "post",
            "/api/v1/me/proxies/{grant_id}/confirmation",
            post(api::proxies::confirm_proxy),
        )
        .add(
            "post",
            "/api/v1/me/proxies/{grant_id}/revocation",
            post(api::proxies::revoke_proxy),
        )
        .add(
            "post",
            "/api/v1/proxy-answers",
            post(api::proxies::answer_proxy),
        )
        .add(
            "post",
            "/api/v1/proxy-codes",
            post(api::proxies::proxy_code),
        )
        .add(
            "post",
            "/api/v1/proxy-give-ups",
            post(api::proxies::give_up_proxy),
        )
        .add(
            "post",
            "/api/v1/me/proxies/{grant_id}/payment",
            post(api::proxies::pay_proxy_fee),
        )
        .add(
            "get",
            "/api/v1/me/proxies/{grant_id}/payments",
            get(api::proxies::proxy_payments),
        )
        .add(
            "post",
            "/api/v1/payments/callback",
            post(api::proxies::payment_callback),
        )
        .add(
            "get",
            "/api/v1/payments/reconciliation",
            get(api::proxies::payments_reconciliation),
        )
        .add("get", "/api/v1/complaints", get(api::outlets::complaints))
        .add(
            "get",
            "/api/v1/screening/disputed-collections",
            get(api::outlets::disputed),
        )
        .add(
            "post",
            "/api/v1/complaints/{complaint_id}/assignment",
            post(api::outlets::assign_complaint),
        )
        .add(
            "post",
            "/api/v1/complaints/{complaint_id}/resolution",
            post(api::outlets::resolve_complaint),
        )
        .add(
            "get",
            "/api/v1/me/collections",
            get(api::outlets::my_collections),
        )
        .add(
            "post",
            "/api/v1/outlets/{outlet}/dispatches",
            post(api::outlets::dispatch),
        )
        .add(
            "post",
            "/api/v1/outlet/receipts",
            post(api::outlets::receipt),
        )
        .add(
            "post",
            "/api/v1/outlet/returns",
            post(api::outlets::stock_return),
        )
        .add("get", "/api/v1/outlet/stock", get(api::outlets::stock))
        .add(
            "get",
            "/api/v1/cycles/{cycle_id}/reconciliation",
            get(api::outlets::reconciliation),
        )
        .add(
            "post",
            "/api/v1/cycles/{cycle_id}/allocation",
            post(api::outlets::allocation),
        )
        .add(
            "post",
            "/api/v1/me/card-qr",
            post(api::outlets::renew_card_qr),
        )
        .add("get", "/outlet", get(pages::outlet::outlet_page))
        .add(
            "get",
            "/screening/disputed",
            get(pages::screening::disputed_page),
        )
        .add("post", "/citizen/complaints", post(pages::complaints::file))
        .add("get", "/outlets", get(pages::outlets::outlets_page))
        .add(
            "post",
            "/outlets/{outlet}/{step}",
            post(pages::outlets::step),
        )
        .add(
            "get",
            "/complaints",
            get(pages::complaints::complaints_page),
        )
        .add(
            "post",
            "/complaints/{complaint_id}/{step}",
            post(pages::complaints::step),
        )
        .add("get", "/citizen/proxies", get(pages::proxies::proxies_page))
        .add("post", "/citizen/proxies", post(pages::proxies::make_grant))
        .add(
            "post",
            "/citizen/proxies/{grant_id}/{step}",
            post(pages::proxies::grant_step),
        )
        .add("get", "/proxy", get(pages::proxies::proxy_page))
        .add("post", "/proxy", post(pages::proxies::proxy_step))
        .add("post", "/outlet/card", post(pages::outlet::card))
        .add("post", "/outlet/proxy", post(pages::outlet_proxy::look_up))
        .add(
            "post",
            "/outlet/proxy-code",
            post(pages::outlet_proxy::send_code),
        )
        .add("post", "/outlet/code", post(pages::outlet::send_code))
        .add("post", "/outlet/collect", post(pages::outlet::collect))
        .add("post", "/outlet/void", post(pages::outlet::void))
        .add("get", "/assets/outlet.js", get(pages::assets::outlet_js))
    }
}
