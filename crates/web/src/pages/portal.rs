//! The editors' side of the portal: the post list with filters, writing and editing posts
//! (with a preview and the revision history), publishing, scheduling and unpublishing with a
//! reason, image uploads, the portal's settings (columns, the website outlet) and the log of
//! who published what. Publishing a manuscript in one click lives here too.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::portal::render_article;
use crate::{AppError, AppResult, AppState, access};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::portal::{ColumnInput, PostInput};
use domain::*;
use serde::Deserialize;
use store::{ImageMeta, Outlet, PortalColumn, Post, PostFilter, PostRevision, Unit};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(list))
        .route("/portal/posts", post(create))
        .route("/portal/posts/new", get(new_page))
        .route("/portal/posts/{id}", get(edit_page).post(update))
        .route("/portal/posts/{id}/preview", get(preview))
        .route("/portal/posts/{id}/publish", post(publish))
        .route("/portal/posts/{id}/unpublish", post(unpublish))
        .route("/portal/images", get(images).post(upload_image).layer(crate::boundary::upload_limit()))
        .route("/portal/settings", get(settings).post(save_settings))
        .route("/portal/columns", post(create_column))
        .route("/portal/columns/{id}", post(update_column))
        .route("/portal/log", get(log))
        .route("/portal/docs", get(docs).post(upload_document).layer(crate::boundary::upload_limit()))
        .route("/portal/docs/{id}/takedown", post(take_down_document))
        .route("/portal/comments", get(comments))
        .route("/portal/comments/{id}", post(moderate_comment))
        .route("/portal/complaints", get(complaints))
        .route("/portal/complaints/{id}", post(resolve_complaint))
        .route("/manuscripts/{id}/portal", post(publish_manuscript))
}

/// The address of the station's portal, "/site/hb", for links from the editors' pages.
async fn site_base(state: &AppState, station: StationId) -> AppResult<String> {
    Ok(format!("/site/{}", state.store.station(station).await?.code))
}

/// The station the editor works in, after checking they may edit the portal.
fn editor_station(ctx: &Ctx) -> AppResult<StationId> {
    access::require(access::can_edit_portal(ctx.role()))?;
    Ok(ctx.station()?)
}

// ---- the post list ----

#[derive(Deserialize, Default)]
struct ListQuery {
    column: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_posts.html")]
struct ListPage {
    l: L,
    layout: Layout,
    columns: Vec<PortalColumn>,
    posts: store::Page<Post>,
    column: String,
    status: String,
    q: String,
    site_base: String,
}

impl ListPage {
    fn when(&self, p: &Post) -> String {
        p.publish_at.map(|t| super::datetime(&t)).unwrap_or_default()
    }
    fn scheduled(&self, p: &Post) -> bool {
        crate::portal::is_scheduled(p)
    }
    fn page_link(&self, page: u64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("column", &self.column), ("status", &self.status), ("q", &self.q)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair("page", &page.to_string());
        format!("/portal?{}", q.finish())
    }
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let mut f = PostFilter::new(station);
    f.column = q.column.as_deref().and_then(|c| c.parse().ok());
    f.status = q.status.as_deref().and_then(PostStatus::parse);
    f.q = q.q.clone().filter(|t| !t.trim().is_empty());
    f.page = crate::ops::page_number(&q.page)?;
    let posts = state.store.posts(&f).await?;
    let columns = state.store.portal_columns(station).await?;
    let site_base = site_base(&state, station).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "portal").await?;
    Ok(ListPage {
        l: L::new(v.locale),
        layout,
        columns,
        posts,
        column: q.column.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        site_base,
    }
    .into_response())
}

// ---- the post form ----

/// The post form as typed. `publish_at` is a `datetime-local` value in China time.
#[derive(Deserialize, Default, Clone)]
struct PostForm {
    #[serde(default)]
    column_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    subtitle: String,
    #[serde(default)]
    body_html: String,
    #[serde(default)]
    source_unit_id: String,
    #[serde(default)]
    byline: String,
    #[serde(default)]
    authors: String,
    #[serde(default)]
    cover_image_id: String,
    #[serde(default)]
    publish_at: String,
    /// "draft", "save" or "publish".
    #[serde(default)]
    action: String,
}

/// Reads "2007-06-05T09:30" (or with a space) in China time as unix seconds.
fn parse_local_datetime(text: &str) -> Option<i64> {
    let t = text.trim().replace(' ', "T");
    let (d, hm) = t.split_once('T').unwrap_or((&t, "00:00"));
    let date = domain::parse_date(d)?;
    let mut parts = hm.split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next().unwrap_or("0").parse().ok()?;
    let time = time::Time::from_hms(h, m, 0).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_offset(domain::CHINA_OFFSET).unix_timestamp())
}

fn local_datetime(ts: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(ts) {
        Ok(t) => {
            let t = t.to_offset(domain::CHINA_OFFSET);
            format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        Err(_) => String::new(),
    }
}

impl PostForm {
    fn of(p: &Post) -> PostForm {
        PostForm {
            column_id: p.column_id.to_string(),
            title: p.title.clone(),
            subtitle: p.subtitle.clone(),
            body_html: p.body_html.clone(),
            source_unit_id: p.source_unit_id.map(|u| u.to_string()).unwrap_or_default(),
            byline: p.byline.clone(),
            authors: p.authors.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join("、"),
            cover_image_id: p.cover_image_id.map(|i| i.to_string()).unwrap_or_default(),
            publish_at: p.publish_at.map(local_datetime).unwrap_or_default(),
            action: String::new(),
        }
    }

    /// Parses the form; author names are looked up among the station's correspondents.
    async fn parse(&self, state: &AppState, station: StationId) -> Result<PostInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let column_id = match self.column_id.trim().parse() {
            Ok(c) => c,
            Err(_) => {
                e.push("column_id", "请选择栏目");
                PortalColumnId(0)
            }
        };
        let opt_id = |e: &mut FieldErrors, field: &str, text: &str| -> Option<i64> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match t.parse() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.push(field, "请从列表中选择");
                    None
                }
            }
        };
        let source_unit_id = opt_id(&mut e, "source_unit_id", &self.source_unit_id).map(UnitId);
        let cover_image_id = opt_id(&mut e, "cover_image_id", &self.cover_image_id).map(ImageId);
        let publish_at = if self.publish_at.trim().is_empty() {
            None
        } else {
            let t = parse_local_datetime(&self.publish_at);
            if t.is_none() {
                e.push("publish_at", "发布时间格式应为 2007-06-05 09:30");
            }
            t
        };
        let mut authors = Vec::new();
        for name in self.authors.split(['、', ',', '，', ';', '；']).map(str::trim).filter(|n| !n.is_empty()) {
            match state.store.correspondent_by_name(station, name).await {
                Ok(Some(c)) => authors.push(c.id),
                Ok(None) => e.push("authors", format!("通讯员“{name}”不存在")),
                Err(_) => e.push("authors", "无法查找通讯员"),
            }
        }
        let input = PostInput {
            column_id,
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            body_html: self.body_html.clone(),
            source_unit_id,
            byline: self.byline.clone(),
            authors,
            cover_image_id,
            publish_at,
        };
        super::with_form_errors(e, input.validate())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_post_form.html")]
struct FormPage {
    l: L,
    layout: Layout,
    post: Option<Post>,
    f: PostForm,
    errors: Errors,
    columns: Vec<PortalColumn>,
    units: Vec<Unit>,
    images: Vec<ImageMeta>,
    revisions: Vec<PostRevision>,
    site_base: String,
    reason: String,
}

impl FormPage {
    fn when(&self, t: &i64) -> String {
        super::datetime(t)
    }
    fn action_label(&self, action: &str) -> &'static str {
        match action {
            "create" => self.l.t("创建"),
            "edit" => self.l.t("修改"),
            "publish" => self.l.t("发布"),
            "unpublish" => self.l.t("撤下"),
            _ => "",
        }
    }
    fn scheduled(&self, p: &Post) -> bool {
        crate::portal::is_scheduled(p)
    }
}

async fn form_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    post: Option<Post>,
    f: PostForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let columns =
        state.store.portal_columns(station).await?.into_iter().filter(|c| c.kind != ColumnKind::Stats).collect();
    let units = state.store.units(station).await?;
    let images = state.store.images(station, 60).await?;
    let revisions = match &post {
        Some(p) => state.store.post_revisions(station, p.id).await?,
        None => Vec::new(),
    };
    let site_base = site_base(state, station).await?;
    let layout = Layout::new(state, session, Some(ctx), "portal").await?;
    Ok(FormPage {
        l: L::new(v.locale),
        layout,
        post,
        f,
        errors: Errors(errors),
        columns,
        units,
        images,
        revisions,
        site_base,
        reason: String::new(),
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    column: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let f = PostForm { column_id: q.column.unwrap_or_default(), ..Default::default() };
    Ok(form_page(&state, &session, &v, &ctx, station, None, f, FieldErrors::default()).await?.into_response())
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<PostForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let publish = f.action == "publish";
    let result = match f.parse(&state, station).await {
        Ok(input) => state.store.create_post(station, &input, publish, ctx.user.id).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(p) => {
            state.portal.search.reindex_post(&state, station, p.id).await;
            let l = L::new(v.locale);
            flash(&session, if publish { l.t("文章已发布") } else { l.t("草稿已保存") }).await;
            Ok(see_other(&format!("/portal/posts/{}", p.id)))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(form_page(&state, &session, &v, &ctx, station, None, f, errors).await?))
        }
    }
}

async fn edit_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PostId>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let post = state.store.post(station, id).await?;
    let f = PostForm::of(&post);
    Ok(form_page(&state, &session, &v, &ctx, station, Some(post), f, FieldErrors::default()).await?.into_response())
}

async fn update(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PostId>,
    Form(f): Form<PostForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let existing = state.store.post(station, id).await?;
    let result = match f.parse(&state, station).await {
        Ok(input) => {
            let saved = state.store.update_post(station, id, &input, ctx.user.id).await;
            match saved {
                Ok(p) if f.action == "publish" && p.status != PostStatus::Published => {
                    state.store.publish_post(station, id, input.publish_at, ctx.user.id).await.map_err(AppError::from)
                }
                other => other.map_err(AppError::from),
            }
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(p) => {
            state.portal.search.reindex_post(&state, station, id).await;
            let l = L::new(v.locale);
            flash(&session, if p.status == PostStatus::Published { l.t("文章已保存并发布") } else { l.t("已保存") })
                .await;
            Ok(see_other(&format!("/portal/posts/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(form_page(&state, &session, &v, &ctx, station, Some(existing), f, errors).await?))
        }
    }
}

/// The article as the public will see it, before (or after) it goes live.
async fn preview(State(state): State<AppState>, v: Visitor, ctx: Ctx, Path(id): Path<PostId>) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let post = state.store.post(station, id).await?;
    let code = state.store.station(station).await?.code;
    let site = crate::portal::Site::load(&state, &code).await?;
    let live = post.is_live(crate::portal::now());
    let page = render_article(&state, site, L::new(v.locale), post, !live).await?;
    // A preview is for this editor only: never cached, never indexed.
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (axum::http::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        page.body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct PublishForm {
    #[serde(default)]
    publish_at: String,
}

async fn publish(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PostId>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let at = match f.publish_at.trim() {
        "" => None,
        t => Some(
            parse_local_datetime(t).ok_or_else(|| AppError::BadRequest("发布时间格式应为 2007-06-05 09:30".into()))?,
        ),
    };
    let p = state.store.publish_post(station, id, at, ctx.user.id).await?;
    state.portal.search.reindex_post(&state, station, id).await;
    let l = L::new(v.locale);
    flash(&session, if crate::portal::is_scheduled(&p) { l.t("已定时发布") } else { l.t("文章已发布") }).await;
    Ok(see_other(&format!("/portal/posts/{id}")))
}

#[derive(Deserialize, Default)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn unpublish(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PostId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    match state.store.unpublish_post(station, id, &f.reason, ctx.user.id).await {
        Ok(_) => {
            state.portal.search.reindex_post(&state, station, id).await;
            flash(&session, L::new(v.locale).t("文章已撤下")).await;
            Ok(see_other(&format!("/portal/posts/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let post = state.store.post(station, id).await?;
            let f2 = PostForm::of(&post);
            let mut page = form_page(&state, &session, &v, &ctx, station, Some(post), f2, errors).await?;
            page.reason = f.reason;
            Ok(form_error(page))
        }
    }
}

// ---- publishing a manuscript ----

#[derive(Deserialize, Default)]
struct PublishManuscriptForm {
    #[serde(default)]
    column_id: String,
}

/// One click on an accepted manuscript: the post and its website placement.
async fn publish_manuscript(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Form(f): Form<PublishManuscriptForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let column: PortalColumnId = f.column_id.trim().parse().map_err(|_| AppError::BadRequest("请选择栏目".into()))?;
    let post = state.store.publish_manuscript(station, id, column, None, ctx.user.id).await?;
    state.portal.search.reindex_post(&state, station, post.id).await;
    flash(&session, L::new(v.locale).t("稿件已发布到门户，并记入网站采用")).await;
    Ok(see_other(&format!("/portal/posts/{}", post.id)))
}

// ---- images ----

#[derive(Template, WebTemplate)]
#[template(path = "portal_images.html")]
struct ImagesPage {
    l: L,
    layout: Layout,
    images: Vec<ImageMeta>,
    errors: Errors,
    site_base: String,
}

async fn images_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    errors: FieldErrors,
) -> AppResult<ImagesPage> {
    let images = state.store.images(station, 200).await?;
    let site_base = site_base(state, station).await?;
    let layout = Layout::new(state, session, Some(ctx), "portal").await?;
    Ok(ImagesPage { l: L::new(v.locale), layout, images, errors: Errors(errors), site_base })
}

/// Stores an uploaded picture for the station: checked by its content, resized to the
/// display and thumbnail sizes, and re-encoded from pixels (so no EXIF or GPS survives).
pub(super) async fn store_image(
    state: &AppState,
    station: StationId,
    by: domain::UserId,
    data: Vec<u8>,
    alt: String,
    caption: String,
) -> AppResult<store::ImageMeta> {
    Ok(app::media::store_image(&state.store, station, by, data, alt, caption).await?)
}

async fn images(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    Ok(images_page(&state, &session, &v, &ctx, station, FieldErrors::default()).await?.into_response())
}

async fn upload_image(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    multipart: Multipart,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let result = async {
        let (_, data, fields) = super::manuscripts::read_upload(multipart, office::MAX_IMAGE_BYTES).await?;
        let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let alt = field("alt");
        if alt.trim().is_empty() {
            return Err(AppError::Invalid(FieldErrors(vec![FieldError::new(
                "alt",
                "请填写图片说明（替代文字），方便读屏软件朗读",
            )])));
        }
        store_image(&state, station, ctx.user.id, data, alt, field("caption")).await
    }
    .await;
    match result {
        Ok(img) => {
            flash(&session, format!("{}（{}）", L::new(v.locale).t("图片已上传"), img.id)).await;
            Ok(see_other("/portal/images"))
        }
        Err(e) => {
            let errors = match e {
                AppError::TooLarge(m) | AppError::BadRequest(m) => FieldErrors(vec![FieldError::new("file", m)]),
                other => field_errors(other)?,
            };
            Ok(form_error(images_page(&state, &session, &v, &ctx, station, errors).await?))
        }
    }
}

// ---- settings and columns ----

#[derive(Template, WebTemplate)]
#[template(path = "portal_settings.html")]
struct SettingsPage {
    l: L,
    layout: Layout,
    station: store::Station,
    outlets: Vec<Outlet>,
    columns: Vec<PortalColumn>,
    errors: Errors,
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    errors: FieldErrors,
) -> AppResult<SettingsPage> {
    let st = state.store.station(station).await?;
    let outlets = state.store.outlets(station).await?;
    let columns = state.store.portal_columns(station).await?;
    let layout = Layout::new(state, session, Some(ctx), "portal").await?;
    Ok(SettingsPage { l: L::new(v.locale), layout, station: st, outlets, columns, errors: Errors(errors) })
}

async fn settings(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    Ok(settings_page(&state, &session, &v, &ctx, station, FieldErrors::default()).await?.into_response())
}

#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    portal_outlet_id: String,
    #[serde(default)]
    portal_intro: String,
}

async fn save_settings(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let outlet = match f.portal_outlet_id.trim() {
        "" => None,
        t => Some(t.parse().map_err(|_| AppError::BadRequest("请从列表中选择媒体".into()))?),
    };
    match state.store.set_portal_settings(station, outlet, &f.portal_intro).await {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("门户设置已保存")).await;
            Ok(see_other("/portal/settings"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(settings_page(&state, &session, &v, &ctx, station, errors).await?))
        }
    }
}

#[derive(Deserialize, Default)]
struct ColumnForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    show_on_home: Option<String>,
}

impl ColumnForm {
    fn parse(&self) -> Result<ColumnInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = ColumnKind::parse(&self.kind).unwrap_or_else(|| {
            e.push("kind", ColumnKind::expected());
            ColumnKind::News
        });
        let position = self.position.trim().parse().unwrap_or_else(|_| {
            e.push("position", "顺序应为整数");
            0
        });
        let input = ColumnInput {
            name: self.name.clone(),
            slug: self.slug.clone(),
            kind,
            position,
            show_on_home: self.show_on_home.is_some(),
        };
        super::with_form_errors(e, input.validate())
    }
}

async fn create_column(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<ColumnForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let result = match f.parse() {
        Ok(input) => state.store.create_portal_column(station, &input).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    column_saved(&state, &session, &v, &ctx, station, result.map(|_| ())).await
}

async fn update_column(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PortalColumnId>,
    Form(f): Form<ColumnForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let result = match f.parse() {
        Ok(input) => state.store.update_portal_column(station, id, &input).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    column_saved(&state, &session, &v, &ctx, station, result.map(|_| ())).await
}

async fn column_saved(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => {
            flash(session, L::new(v.locale).t("栏目已保存")).await;
            Ok(see_other("/portal/settings"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(settings_page(state, session, v, ctx, station, errors).await?))
        }
    }
}

// ---- the publishing log ----

#[derive(Template, WebTemplate)]
#[template(path = "portal_log.html")]
struct LogPage {
    l: L,
    layout: Layout,
    entries: Vec<(store::AuditEntry, String)>,
}

impl LogPage {
    fn when(&self, t: &i64) -> String {
        super::datetime(t)
    }
    fn post_id<'a>(&self, subject: &'a str) -> &'a str {
        subject.strip_prefix("post:").unwrap_or("")
    }
    fn action_label(&self, action: &str) -> &'static str {
        match action {
            "portal.publish" => self.l.t("发布"),
            "portal.edit" => self.l.t("修改"),
            "portal.unpublish" => self.l.t("撤下"),
            _ => "",
        }
    }
}

async fn log(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let entries = state.store.portal_log(station, 200).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "portal").await?;
    Ok(LogPage { l: L::new(v.locale), layout, entries }.into_response())
}

// ---- the document library ----

#[derive(Template, WebTemplate)]
#[template(path = "portal_docs.html")]
struct DocsPage {
    l: L,
    layout: Layout,
    docs: Vec<store::DocumentMeta>,
    units: Vec<Unit>,
    errors: Errors,
    site_base: String,
}

impl DocsPage {
    fn when(&self, t: &i64) -> String {
        super::datetime(t)
    }
}

async fn docs_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    errors: FieldErrors,
) -> AppResult<DocsPage> {
    let f = store::DocumentFilter { status: None, per_page: 200, ..store::DocumentFilter::published(station) };
    let docs = state.store.documents(&f).await?.items;
    let units = state.store.units(station).await?;
    let site_base = site_base(state, station).await?;
    let layout = Layout::new(state, session, Some(ctx), "portal").await?;
    Ok(DocsPage { l: L::new(v.locale), layout, docs, units, errors: Errors(errors), site_base })
}

async fn docs(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    Ok(docs_page(&state, &session, &v, &ctx, station, FieldErrors::default()).await?.into_response())
}

/// Publishes a .docx, .pdf or .txt: its type is told by its content, its text and preview
/// are read once here (off the async threads), so pages and search never open the file again.
async fn upload_document(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    multipart: Multipart,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let result = async {
        let (file_name, data, fields) = super::manuscripts::read_upload(multipart, office::MAX_DOCUMENT_BYTES).await?;
        let field =
            |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let mut e = FieldErrors::default();
        let correspondent_id = match field("author").as_str() {
            "" => None,
            name => match state.store.correspondent_by_name(station, name).await? {
                Some(c) => Some(c.id),
                None => {
                    e.push("author", format!("通讯员“{name}”不存在"));
                    None
                }
            },
        };
        let unit_id = match field("unit_id").as_str() {
            "" => None,
            t => t.parse().ok(),
        };
        let name = file_name.clone();
        let read = crate::parse::blocking(move || {
            let format = office::sniff_document(&data, &name)?;
            let text = office::document_text(&data, format)?;
            let preview = office::preview_html(&data, format, 60)?;
            Ok::<_, office::PreviewError>((format, text, preview.html, data))
        })
        .await?;
        let (format, text, preview, data) = match read {
            Ok(r) => r,
            Err(err) => {
                e.push("file", err.to_string());
                return Err(AppError::Invalid(e));
            }
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let title = match field("title").as_str() {
            "" => file_name.rsplit_once('.').map(|(stem, _)| stem.to_string()).unwrap_or_else(|| file_name.clone()),
            t => t.to_string(),
        };
        let doc = store::NewDocument {
            title,
            summary: field("summary"),
            file_name,
            format: format.ext().to_string(),
            data,
            text_content: text,
            preview_html: preview,
            correspondent_id,
            unit_id,
            published_at: None,
        };
        Ok::<_, AppError>(state.store.create_document(station, doc, ctx.user.id).await?)
    }
    .await;
    match result {
        Ok(d) => {
            state.portal.search.reindex_document(&state, station, d.id).await;
            flash(&session, L::new(v.locale).t("文档已发布")).await;
            Ok(see_other("/portal/docs"))
        }
        Err(e) => {
            let errors = match e {
                AppError::TooLarge(m) | AppError::BadRequest(m) => FieldErrors(vec![FieldError::new("file", m)]),
                other => field_errors(other)?,
            };
            Ok(form_error(docs_page(&state, &session, &v, &ctx, station, errors).await?))
        }
    }
}

async fn take_down_document(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<DocumentId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    match state.store.take_down_document(station, id, &f.reason, ctx.user.id).await {
        Ok(()) => {
            state.portal.search.reindex_document(&state, station, id).await;
            flash(&session, L::new(v.locale).t("文档已下架")).await;
            Ok(see_other("/portal/docs"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(docs_page(&state, &session, &v, &ctx, station, errors).await?))
        }
    }
}

// ---- moderation: comments and complaints ----

#[derive(Template, WebTemplate)]
#[template(path = "portal_comments.html")]
struct CommentsPage {
    l: L,
    layout: Layout,
    pending: Vec<store::CommentRecord>,
    recent: Vec<store::CommentRecord>,
    site_base: String,
}

impl CommentsPage {
    fn when(&self, t: &i64) -> String {
        super::datetime(t)
    }
}

async fn comments(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let pending = state.store.comments(station, CommentStatus::Pending, 200).await?;
    let recent = state.store.comments(station, CommentStatus::Approved, 20).await?;
    let site_base = site_base(&state, station).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "portal").await?;
    Ok(CommentsPage { l: L::new(v.locale), layout, pending, recent, site_base }.into_response())
}

#[derive(Deserialize, Default)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    resolution: String,
}

async fn moderate_comment(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CommentId>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("请选择通过或不通过".into())),
    };
    state.store.moderate_comment(station, id, approve, ctx.user.id).await?;
    let l = L::new(v.locale);
    flash(&session, if approve { l.t("评论已通过") } else { l.t("评论未通过") }).await;
    Ok(see_other("/portal/comments"))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_complaints.html")]
struct ComplaintsPage {
    l: L,
    layout: Layout,
    complaints: Vec<store::ComplaintRecord>,
    errors: Errors,
    site_base: String,
}

impl ComplaintsPage {
    fn when(&self, t: &i64) -> String {
        super::datetime(t)
    }
}

async fn complaints_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    station: StationId,
    errors: FieldErrors,
) -> AppResult<ComplaintsPage> {
    let complaints = state.store.complaints(station, 200).await?;
    let site_base = site_base(state, station).await?;
    let layout = Layout::new(state, session, Some(ctx), "portal").await?;
    Ok(ComplaintsPage { l: L::new(v.locale), layout, complaints, errors: Errors(errors), site_base })
}

async fn complaints(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    Ok(complaints_page(&state, &session, &v, &ctx, station, FieldErrors::default()).await?.into_response())
}

/// Upholding a complaint takes its document down with the resolution as the public reason.
async fn resolve_complaint(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ComplaintId>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let station = editor_station(&ctx)?;
    let uphold = match f.decision.as_str() {
        "uphold" => true,
        "dismiss" => false,
        _ => return Err(AppError::BadRequest("请选择受理或驳回".into())),
    };
    match state.store.resolve_complaint(station, id, uphold, &f.resolution, ctx.user.id).await {
        Ok(taken_down) => {
            if let Some(d) = taken_down {
                state.portal.search.reindex_document(&state, station, d).await;
            }
            let l = L::new(v.locale);
            flash(&session, if uphold { l.t("申诉已受理，文档已下架") } else { l.t("申诉已驳回") }).await;
            Ok(see_other("/portal/complaints"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(complaints_page(&state, &session, &v, &ctx, station, errors).await?))
        }
    }
}
