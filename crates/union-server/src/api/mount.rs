//! Mounts handlers on the typed endpoint descriptions of `madoguchi_protocol::endpoint`, so the router's
//! paths and methods are the very ones the terminal's `link` sends to and the OpenAPI document describes.

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, post, put};
use madoguchi_protocol::endpoint::{Endpoint, HttpMethod};

/// `router.endpoint(&ep::RESIDENT, resident_detail)` instead of `.route("/v1/residents/{id}", get(…))`.
pub(crate) trait MountEndpoint<S> {
    /// Routes `handler` at the endpoint's method and path template.
    fn endpoint<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static;
}

impl<S: Clone + Send + Sync + 'static> MountEndpoint<S> for Router<S> {
    fn endpoint<Req, Resp, H, T>(self, endpoint: &Endpoint<Req, Resp>, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let method: MethodRouter<S> = match endpoint.method() {
            HttpMethod::Get => get(handler),
            HttpMethod::Post => post(handler),
            HttpMethod::Put => put(handler),
            HttpMethod::Delete => delete(handler),
        };
        // Axum merges method routers mounted on the same path (`/v1/session`: POST, GET, DELETE).
        self.route(endpoint.template(), method)
    }
}
