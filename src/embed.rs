//! Embed mode, the UI side of the host <-> embed message API
//! (`sqlpatterns_core::share::embed_api` has the messages and their docs): report the
//! content's height, answer the host's requests, and hold a `run=click` embed until it is
//! started.
//!
//! A host request acts through the page's own controls (a step runs by pressing its
//! button), so an embed driven by its host does exactly what a visitor's click does.

use leptos::prelude::*;
use sqlpatterns_core::share::embed_api::{read_request, EmbedMessage, HostRequest};
use sqlpatterns_core::share::Theme;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The page's answers to a `get-state`: its permalink and the `s=` value in it.
pub type StateSource = Rc<dyn Fn() -> (String, String)>;

/// The `get-state` answer of a page whose state is `state`.
pub fn state_source(
    slug: &'static str,
    state: Memo<sqlpatterns_core::share::PageState>,
) -> StateSource {
    Rc::new(move || {
        let state = state.get_untracked();
        let url = crate::page_state::absolute_url(
            slug,
            &state,
            &sqlpatterns_core::share::EmbedOptions::default(),
        );
        let encoded = if state.is_default() {
            String::new()
        } else {
            sqlpatterns_core::share::encode_state(&state)
        };
        (url, encoded)
    })
}

#[derive(Default)]
struct Host {
    slug: &'static str,
    listening: bool,
    measuring: bool,
    state: Option<StateSource>,
    /// Set while a `run=click` embed waits for its click.
    start: Option<Rc<dyn Fn()>>,
}

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

fn post(message: &EmbedMessage) {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let (Some(parent), Ok(value)) = (parent, serde::Serialize::serialize(message, &serializer)) {
        // "*": the embedding site's origin is unknown, and no message carries a secret.
        let _ = parent.post_message(&value, "*");
    }
}

fn post_height(slug: &str) {
    // The content's own height (the body, which embeds do not stretch), not the
    // document's scroll height: that is at least the frame's height, so a frame that grew
    // could never shrink again.
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    post(&EmbedMessage::Resize {
        slug: slug.to_string(),
        height: body.offset_height(),
    });
}

/// Makes this page an embed that talks to its host: reports its height whenever it
/// changes and answers the host's requests. `state` answers `get-state`. Call once per
/// page; the listener and the observer are installed once per document.
pub fn serve_host(slug: &'static str, state: Option<StateSource>) {
    let (listen, measure) = HOST.with_borrow_mut(|host| {
        host.slug = slug;
        host.state = state;
        let listen = !std::mem::replace(&mut host.listening, true);
        let measure = !std::mem::replace(&mut host.measuring, true);
        (listen, measure)
    });
    if measure {
        observe_height(slug);
    }
    if listen {
        let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
        let _ =
            window().add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
        handler.forget();
    }
    post_height(slug);
}

/// Tells the host the page is up, with the steps it may ask for.
pub fn announce_ready() {
    let slug = HOST.with_borrow(|h| h.slug);
    // After this render: the buttons are in the document then.
    request_animation_frame(move || {
        post(&EmbedMessage::Ready {
            slug: slug.to_string(),
            steps: step_buttons().iter().filter_map(step_id).collect(),
        });
    });
}

fn observe_height(slug: &'static str) {
    let Some(root) = document().document_element() else {
        return;
    };
    let callback = Closure::<dyn FnMut()>::new(move || post_height(slug));
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        if let Some(body) = document().body() {
            observer.observe(&body);
        }
    }
    callback.forget();
}

/// Demo steps and lab actions, the buttons `run-step` can press.
fn step_buttons() -> Vec<web_sys::Element> {
    let mut buttons = Vec::new();
    if let Ok(list) = document().query_selector_all("[data-step], [data-action]") {
        for i in 0..list.length() {
            if let Some(element) = list.item(i).and_then(|n| n.dyn_into().ok()) {
                buttons.push(element);
            }
        }
    }
    buttons
}

fn step_id(button: &web_sys::Element) -> Option<String> {
    button
        .get_attribute("data-step")
        .or_else(|| button.get_attribute("data-action"))
}

fn click(element: &web_sys::Element) -> Result<(), String> {
    if element.has_attribute("disabled") {
        return Err("it is disabled now".into());
    }
    element
        .dyn_ref::<web_sys::HtmlElement>()
        .ok_or_else(|| "not a button".to_string())?
        .click();
    Ok(())
}

fn on_message(event: web_sys::MessageEvent) {
    let Ok(data) = serde_wasm_bindgen::from_value::<serde_json::Value>(event.data()) else {
        return;
    };
    let Some(request) = read_request(&data) else {
        return;
    };
    let slug = HOST.with_borrow(|h| h.slug).to_string();
    let request = match request {
        Ok(request) => request,
        Err(message) => {
            post(&EmbedMessage::Error {
                slug,
                request: data["type"].as_str().unwrap_or_default().to_string(),
                message,
            });
            return;
        }
    };
    let name = request.name().to_string();
    match answer(&slug, request) {
        Answer::Done(step) => post(&EmbedMessage::Done {
            slug,
            request: name,
            step,
        }),
        Answer::Sent => {}
        Answer::Failed(message) => post(&EmbedMessage::Error {
            slug,
            request: name,
            message,
        }),
    }
}

enum Answer {
    /// Done; the step pressed, if any.
    Done(Option<String>),
    /// The answer was a message of its own (`state`).
    Sent,
    Failed(String),
}

impl From<Result<Option<String>, String>> for Answer {
    fn from(result: Result<Option<String>, String>) -> Self {
        result.map_or_else(Answer::Failed, Answer::Done)
    }
}

/// Does what the host asked, or says why it could not.
fn answer(slug: &str, request: HostRequest) -> Answer {
    let fail = Answer::Failed;
    match request {
        HostRequest::SetTheme { theme } => {
            set_theme(theme);
            Answer::Done(None)
        }
        HostRequest::Run => {
            if let Some(start) = HOST.with_borrow_mut(|h| h.start.take()) {
                start();
                return Answer::Done(None);
            }
            match document()
                .query_selector("[data-testid=run-sql]")
                .ok()
                .flatten()
            {
                Some(button) => click(&button).map(|()| None).into(),
                None => fail("this embed shows no console to run".into()),
            }
        }
        HostRequest::RunStep { step } => {
            if HOST.with_borrow(|h| h.start.is_some()) {
                return fail("the embed has not started: send sqlpatterns:run first".into());
            }
            let buttons = step_buttons();
            let Some(button) = buttons
                .iter()
                .find(|b| step_id(b).as_deref() == Some(&step))
            else {
                let known: Vec<String> = buttons.iter().filter_map(step_id).collect();
                return fail(format!(
                    "no step \"{step}\" on this page{}",
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (its steps: {})", known.join(", "))
                    }
                ));
            };
            click(button)
                .map(|()| Some(step.clone()))
                .map_err(|why| format!("step \"{step}\" cannot run: {why}"))
                .into()
        }
        HostRequest::GetState { id } => {
            let Some(state) = HOST.with_borrow(|h| h.state.clone()) else {
                return fail("this page has no state to share".into());
            };
            let (url, encoded) = state();
            post(&EmbedMessage::State {
                slug: slug.to_string(),
                id,
                url,
                state: encoded,
            });
            // The state message is the answer; no `done` after it.
            Answer::Sent
        }
    }
}

/// A theme from the host: the attribute the stylesheet reads (`None`: follow the system).
fn set_theme(theme: Option<Theme>) {
    let Some(root) = document().document_element() else {
        return;
    };
    let _ = match theme {
        Some(theme) => root.set_attribute("data-theme", theme.name()),
        None => root.remove_attribute("data-theme"),
    };
}

/// A `run=click` embed before its click: the pattern's title and summary and a Run
/// button; the page (engine, seed, demo) is built only then. The host's `run` request
/// starts it too.
///
/// Props:
/// - `slug`, `title`, `summary`: what the placeholder says.
/// - `children`: the page, built when started.
#[component]
pub fn ClickToRun(
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let started = RwSignal::new(false);
    let start: Rc<dyn Fn()> = Rc::new(move || started.set(true));
    HOST.with_borrow_mut(|h| h.start = Some(start));
    serve_host(slug, None);
    let run = move |_| {
        HOST.with_borrow_mut(|h| h.start = None);
        started.set(true);
    };
    view! {
        <Show
            when=move || started.get()
            fallback=move || view! {
                <section class="click-to-run" data-testid="click-to-run">
                    <p class="embed-title">{title}</p>
                    <p class="summary">{summary}</p>
                    <button class="primary" data-testid="click-to-run-button" on:click=run>
                        "▶ Run this pattern live"
                    </button>
                    <p class="click-to-run-note">"Starts an in-browser database for this page; nothing is sent anywhere."</p>
                </section>
            }
        >
            {children()}
        </Show>
    }
}
