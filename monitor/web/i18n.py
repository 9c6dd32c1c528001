"""Interface strings in Russian and English, as plain dicts.

Why not gettext: two languages and a few hundred words do not justify a
catalogue build step, and a dict is checked by a test (every key has both
languages) instead of failing silently at run time.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

# key -> (Russian, English). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": (
        "Мониторинг соглашений Россия — Казахстан",
        "Russia–Kazakhstan agreements monitor",
    ),
    "nav.overview": ("Обзор", "Overview"),
    "nav.documents": ("Документы", "Documents"),
    "nav.sources": ("Источники", "Sources"),
    "nav.themes": ("Темы", "Themes"),
    "nav.alerts": ("Оповещения", "Alerts"),
    "feed.documents": ("Atom: новые документы", "Atom: new documents"),
    "feed.changes": ("Atom: изменения", "Atom: changes"),
    "feed.these": ("Подписаться на эту выборку", "Subscribe to this selection"),
    "nav.language": ("Язык", "Language"),
    "footer.tz": ("Время показано в поясе {tz}", "Times are shown in {tz}"),
    # overview
    "overview.latest": ("Последние события", "Latest events"),
    "overview.alerts": ("Доставка оповещений", "Alert delivery"),
    "overview.health": ("Состояние источников", "Source health"),
    "overview.no_events": ("Событий пока нет.", "No events yet."),
    "overview.all_documents": ("Все документы", "All documents"),
    "overview.oldest": ("Самое старое недоставленное: {at}", "Oldest undelivered: {at}"),
    "overview.attention": ("Требуют внимания", "Need attention"),
    # events, kinds, statuses
    "event.new": ("новый", "new"),
    "event.changed": ("изменён", "changed"),
    "event.removed": ("удалён", "removed"),
    "event.restored": ("восстановлен", "restored"),
    "event.reextracted": ("текст извлечён заново", "re-extracted"),
    "kind.official": ("официальный", "official"),
    "kind.media": ("СМИ", "media"),
    "country.RU": ("Россия", "Russia"),
    "country.KZ": ("Казахстан", "Kazakhstan"),
    "country.other": ("другие", "other"),
    "lang.ru": ("русский", "Russian"),
    "lang.kk": ("казахский", "Kazakh"),
    "lang.en": ("английский", "English"),
    "status.active": ("отслеживается", "tracked"),
    "status.removed": ("удалён", "removed"),
    "status.pending": ("в очереди", "pending"),
    "status.sending": ("отправляется", "sending"),
    "status.sent": ("отправлено", "sent"),
    "status.failed": ("ошибка", "failed"),
    "status.uncertain": ("не подтверждено", "uncertain"),
    "significance.trivial": ("несущественное", "trivial"),
    "significance.minor": ("незначительное", "minor"),
    "significance.moderate": ("заметное", "moderate"),
    "significance.major": ("важное", "major"),
    "health.ok": ("работает", "OK"),
    "health.failing": ("ошибки с {since}", "failing since {since}"),
    "health.unknown": ("ещё не опрашивался", "not fetched yet"),
    # documents list
    "docs.title": ("Документы", "Documents"),
    "docs.search": ("Поиск по тексту", "Full-text search"),
    "docs.search_placeholder": ("например: атомная станция", "e.g. nuclear power plant"),
    "docs.source": ("Источник", "Source"),
    "docs.kind": ("Тип", "Kind"),
    "docs.country": ("Страна", "Country"),
    "docs.language": ("Язык", "Language"),
    "docs.theme": ("Тема", "Theme"),
    "docs.event": ("Событие", "Event"),
    "docs.since": ("С", "From"),
    "docs.until": ("По", "To"),
    "docs.sort": ("Сортировка", "Sort"),
    "docs.sort.recent": ("сначала последние события", "latest event first"),
    "docs.sort.first_seen": ("по дате обнаружения", "by date first seen"),
    "docs.sort.title": ("по заголовку", "by title"),
    "docs.sort.relevance": ("по релевантности", "by relevance"),
    "docs.any": ("любой", "any"),
    "docs.apply": ("Показать", "Apply"),
    "docs.reset": ("Сбросить", "Reset"),
    "docs.none": ("Ничего не найдено.", "Nothing found."),
    "docs.next": ("Дальше →", "Next →"),
    "docs.first_page": ("← В начало", "← First page"),
    "docs.total": ("Найдено: {n}", "Found: {n}"),
    "docs.untitled": ("(без заголовка)", "(untitled)"),
    "docs.versions": ("версий: {n}", "versions: {n}"),
    "docs.last_event": ("Последнее событие", "Last event"),
    "docs.themes": ("Темы", "Themes"),
    "docs.significance": ("Значимость", "Significance"),
    # document page
    "doc.url": ("Адрес", "URL"),
    "doc.source": ("Источник", "Source"),
    "doc.status": ("Состояние", "Status"),
    "doc.first_seen": ("Обнаружен", "First seen"),
    "doc.last_changed": ("Последнее изменение", "Last changed"),
    "doc.timeline": ("Версии", "Versions"),
    "doc.version": ("Версия {seq}", "Version {seq}"),
    "doc.chars": ("{n} знаков", "{n} characters"),
    "doc.raw": ("исходный снимок", "raw snapshot"),
    "doc.diff_prev": ("отличия от предыдущей", "diff with previous"),
    "doc.first_version": ("первая версия", "first version"),
    "doc.compare": ("Сравнить версии", "Compare versions"),
    "doc.from": ("Старая", "Older"),
    "doc.to": ("Новая", "Newer"),
    "doc.show_diff": ("Показать отличия", "Show the differences"),
    "doc.other_languages": ("Другие языковые версии", "Other language versions"),
    "doc.not_found": ("Документ не найден.", "No such document."),
    "doc.points_changed": ("Пункты: {points}", "Points: {points}"),
    # diff page
    "diff.title": ("Отличия: версия {a} → версия {b}", "Differences: version {a} → version {b}"),
    "diff.summary": ("Сводка", "Summary"),
    "diff.inline": ("Общий текст", "Inline"),
    "diff.side": ("Рядом", "Side by side"),
    "diff.old": ("Версия {seq}", "Version {seq}"),
    "diff.new": ("Версия {seq}", "Version {seq}"),
    "diff.points_changed": ("Изменены пункты", "Points changed"),
    "diff.points_added": ("Добавлены пункты", "Points added"),
    "diff.points_removed": ("Удалены пункты", "Points removed"),
    "diff.paragraphs_changed": ("Изменены абзацы", "Paragraphs changed"),
    "diff.words": ("+{ins} / −{dels} слов", "+{ins} / −{dels} words"),
    "diff.same": ("Тексты версий совпадают.", "The texts of these versions are identical."),
    "diff.unchanged_run": ("без изменений: {n} абз.", "{n} unchanged paragraphs"),
    "diff.back": ("← к документу", "← back to the document"),
    "diff.bad_versions": ("Нет таких версий.", "No such versions."),
    "diff.reasons": ("Почему", "Why"),
    # sources
    "sources.title": ("Источники", "Sources"),
    "sources.last_ok": ("Последний успех", "Last success"),
    "sources.last_error": ("Последняя ошибка", "Last error"),
    "sources.documents": ("Документов", "Documents"),
    "sources.errors_per_day": ("Ошибки загрузки по дням", "Fetch errors per day"),
    "sources.errors_of": ("Ошибок / загрузок за {days} дн.", "Errors / fetches in {days} days"),
    "sources.never": ("никогда", "never"),
    "sources.no_errors": ("ошибок нет", "no errors"),
    # themes
    "themes.title": ("Темы по неделям", "Themes per week"),
    "themes.documents": ("новые документы", "new documents"),
    "themes.changes": ("изменения", "changes"),
    "themes.weeks": ("Недель", "Weeks"),
    "themes.empty": ("Данных за период нет.", "No data for this period."),
    "themes.by": ("Разбивка", "Split by"),
    "themes.by.all": ("без разбивки", "no split"),
    # alerts
    "alerts.title": ("Оповещения", "Alerts"),
    "alerts.counts": ("По состояниям", "By status"),
    "alerts.subscription": ("Подписка", "Subscription"),
    "alerts.channel": ("Канал", "Channel"),
    "alerts.attempts": ("Попыток", "Attempts"),
    "alerts.created": ("Создано", "Created"),
    "alerts.error": ("Ошибка", "Error"),
    "alerts.retry": ("Отправить снова", "Retry"),
    "alerts.token": ("Токен", "Token"),
    "alerts.disabled": (
        "Действия отключены: токен не настроен (MONITOR_WEB_TOKEN).",
        "Actions are disabled: no token is configured (MONITOR_WEB_TOKEN).",
    ),
    "alerts.requeued": ("Оповещение №{id} снова в очереди.", "Alert #{id} is queued again."),
    "alerts.none": ("Оповещений нет.", "No alerts."),
    "alerts.all": ("все", "all"),
    "diff.memo": ("Памятка об изменении", "Change memo"),
    "feed.opml": ("Все ленты (OPML)", "All feeds (OPML)"),
    "sources.add": ("Добавить источник", "Add a source"),
    "sources.edit": ("Изменить", "Edit"),
    "sources.pause": ("Приостановить", "Pause"),
    "sources.resume": ("Возобновить", "Resume"),
    "sources.delete": ("Удалить", "Delete"),
    "sources.paused": ("Приостановленные источники", "Paused sources"),
    "sources.by": ("{who}, {at}", "by {who}, {at}"),
    "sources.from_ui": ("из интерфейса ({who})", "from the UI ({who})"),
    "sources.readonly": (
        "Источники задаются только в sources.yaml (MONITOR_SOURCES_READONLY).",
        "Sources are managed in sources.yaml only (MONITOR_SOURCES_READONLY).",
    ),
    "sources.name": ("Название", "Name"),
    "sources.country": ("Страна", "Country"),
    "sources.interval": ("Интервал", "Interval"),
    "sources.relevance": ("Отбор", "Relevance"),
    "sources.watch": ("Отслеживаемые адреса (по одному в строке)", "Watched URLs (one a line)"),
    "sources.discover": (
        "Ленты, списки, карты сайта («feed|listing|sitemap адрес»)",
        "Feeds, listings, sitemaps ('feed|listing|sitemap URL')",
    ),
    "sources.save": ("Сохранить", "Save"),
    "sources.preview": ("Предпросмотр", "Preview"),
    "sources.preview_url": ("Проверить на адресе", "Try on the address"),
    "sources.preview_of": (
        "Заголовок: {title} · извлечение: {extractor} · {n} знаков",
        "Title: {title} · extractor: {extractor} · {n} characters",
    ),
    "sources.check_now": ("Проверить сейчас", "Check now"),
    "sources.checking": ("Источник {id} будет проверен сейчас.", "Source {id} is checked now."),
    "doc.checking": ("Документ будет проверен сейчас.", "The document is checked now."),
    "sources.cancel": ("Отмена", "Cancel"),
    "nav.inbox": ("Входящие", "Inbox"),
    "nav.subscriptions": ("Мои подписки", "My subscriptions"),
    "subs.title": ("Мои подписки на оповещения", "My alert subscriptions"),
    "subs.none": ("Подписок нет.", "No subscriptions."),
    "subs.add": ("Добавить подписку", "Add a subscription"),
    "subs.filters": ("Фильтры", "Filters"),
    "subs.mode": ("Режим", "Mode"),
    "subs.min_significance": ("Не слабее", "At least"),
    "inbox.title": ("Входящие", "Inbox"),
    "inbox.unread": ("Непрочитанные: {n}", "Unread: {n}"),
    "inbox.starred": ("Отмеченные: {n}", "Starred: {n}"),
    "inbox.none": ("Всё прочитано.", "Nothing unread."),
    "inbox.new": ("новый", "new"),
    "inbox.changed_since": ("изменён после версии {seq}", "changed since version {seq}"),
    "inbox.starred_one": ("отмечен", "starred"),
    "mark.star": ("Отметить", "Star"),
    "mark.unstar": ("Снять отметку", "Unstar"),
    "mark.mute": ("Не показывать во входящих", "Mute"),
    "mark.unmute": ("Показывать во входящих", "Unmute"),
    "mark.unread": ("Отметить непрочитанным", "Mark unread"),
    # a document's text and presence
    "doc.last_checked": ("Проверен", "Last checked"),
    "doc.next_check": ("следующая проверка {at}", "next check {at}"),
    "doc.text": ("Текст (версия {seq})", "Text (version {seq})"),
    "doc.latest_text": ("последняя версия", "latest version"),
    "doc.link_here": ("Ссылка на этот абзац", "Link to this paragraph"),
    "doc.read": ("читать", "read"),
    "doc.presence.removed": (
        "Страница перестала отвечать (404/410): документ снят.",
        "The page stopped answering (404/410): the document was taken down.",
    ),
    "doc.presence.restored": (
        "Страница снова доступна.",
        "The page answers again.",
    ),
    # accounts
    "login.title": ("Вход", "Log in"),
    "login.name": ("Имя", "Name"),
    "login.password": ("Пароль", "Password"),
    "login.submit": ("Войти", "Log in"),
    "login.logout": ("Выйти", "Log out"),
    "login.failed": ("Неверное имя или пароль.", "Wrong name or password."),
    "login.stale": (
        "Форма устарела: откройте страницу входа снова.",
        "The form is stale: open the login page again.",
    ),
    "account.title": ("Учётная запись", "Account"),
    "account.tokens": ("Токены API", "API tokens"),
    "account.label": ("Название", "Label"),
    "account.scope": ("Права", "Scope"),
    "account.used": ("Использован", "Last used"),
    "account.revoke": ("Отозвать", "Revoke"),
    "account.create": ("Создать токен", "Create a token"),
    "account.none": ("Токенов нет.", "No tokens."),
    "account.created": (
        "Новый токен (показан один раз, сохраните его):",
        "Your new token (shown once; keep it now):",
    ),
    "role.viewer": ("читатель", "viewer"),
    "role.editor": ("редактор", "editor"),
    "role.admin": ("администратор", "admin"),
    "users.title": ("Пользователи", "Users"),
    "users.cli": ("Учётные записи создаются командой", "Accounts are created with"),
    "users.role": ("Роль", "Role"),
    "users.disabled": ("отключён", "disabled"),
    "users.audit": ("Журнал действий", "Audit log"),
    "users.when": ("Когда", "When"),
    "users.who": ("Кто", "Who"),
    "users.what": ("Что", "What"),
    "users.target": ("Объект", "Target"),
    # errors
    "error.forbidden": ("Доступ запрещён: неверный токен.", "Forbidden: wrong or missing token."),
    "error.disabled": (
        "Действие отключено: токен не настроен.",
        "This action is disabled: no token is configured.",
    ),
    "error.not_found": ("Не найдено.", "Not found."),
    "error.bad_request": ("Неверный запрос: {detail}", "Bad request: {detail}"),
}


def choose_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """`?lang=` beats the remembered cookie beats the browser's Accept-Language."""
    for explicit in (query, cookie):
        if explicit in LANGUAGES:
            return explicit
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        q -= position * 1e-6  # equal weights: the first listed wins
        if q > best_q:
            best, best_q = code, q
    return best


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)`: the message in `lang`; an unknown key shows itself, so a
    missing translation is visible on the page instead of raising mid-render."""
    index = 0 if lang == "ru" else 1

    def t(key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        if pair is None:
            return key
        return pair[index].format(**values) if values else pair[index]

    return t
