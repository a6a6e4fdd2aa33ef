//! The four interface languages (en, de, nl, fr): every UI string, and how a request picks
//! one: `?lang=`, then the `lang` cookie, then `Accept-Language`, then English.
use axum::http::HeaderMap;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Nl,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Nl, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Nl => "nl",
            Self::Fr => "fr",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Nl => "Nederlands",
            Self::Fr => "Français",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::En => &EN,
            Self::De => &DE,
            Self::Nl => &NL,
            Self::Fr => &FR,
        }
    }
}

/// Picks the language: `?lang=` (returned as `chosen`, to be remembered in a cookie), the
/// `lang` cookie, `Accept-Language` by quality, else English.
pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        return (lang, true);
    }
    let cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("lang="))
        .find_map(Lang::parse);
    if let Some(lang) = cookie {
        return (lang, false);
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag)
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    (best.map_or(Lang::En, |(_, l)| l), false)
}

/// Every string of the interface in one language.
pub struct Texts {
    pub skip_to_content: &'static str,
    pub nav_home: &'static str,
    pub nav_directory: &'static str,
    pub nav_map: &'static str,
    pub nav_news: &'static str,
    pub nav_federation: &'static str,
    pub nav_about: &'static str,
    pub language: &'static str,
    pub footer_powered: &'static str,
    pub footer_data: &'static str,
    pub footer_feeds: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub home_here: &'static str,
    pub home_federation: &'static str,
    pub home_networks: &'static str,
    pub home_newest: &'static str,
    pub home_latest_news: &'static str,
    pub directory_title: &'static str,
    pub results: &'static str,
    pub no_results: &'static str,
    pub filters: &'static str,
    pub facet_network: &'static str,
    pub facet_country: &'static str,
    pub facet_service: &'static str,
    pub facet_technology: &'static str,
    pub facet_language: &'static str,
    pub clear_filters: &'static str,
    pub remove_filter: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_name: &'static str,
    pub sort_newest: &'static str,
    pub apply: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: &'static str,
    pub member_of: &'static str,
    pub federated_note: &'static str,
    pub home_profile: &'static str,
    pub field_website: &'static str,
    pub field_location: &'static str,
    pub field_services: &'static str,
    pub field_technologies: &'static str,
    pub field_languages: &'static str,
    pub field_workers: &'static str,
    pub field_founded: &'static str,
    pub field_legal_form: &'static str,
    pub field_contact: &'static str,
    pub field_links: &'static str,
    pub fediverse_handle: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub follow_title: &'static str,
    pub follow_help: &'static str,
    pub follow_instance_label: &'static str,
    pub follow_button: &'static str,
    pub news: &'static str,
    pub no_news: &'static str,
    pub federation_news: &'static str,
    pub no_federation_news: &'static str,
    pub shared_by: &'static str,
    pub in_reply_to: &'static str,
    pub linked_posts: &'static str,
    pub network_members: &'static str,
    pub federation_title: &'static str,
    pub federation_intro: &'static str,
    pub peer_network: &'static str,
    pub peer_state: &'static str,
    pub peer_members: &'static str,
    pub peer_last_sync: &'static str,
    pub state_following: &'static str,
    pub state_follower: &'static str,
    pub state_pending: &'static str,
    pub state_mutual: &'static str,
    pub never: &'static str,
    pub no_peers: &'static str,
    pub suggested_peers: &'static str,
    pub about_title: &'static str,
    pub about_text: &'static str,
    pub about_api: &'static str,
    pub map_title: &'static str,
    pub map_intro: &'static str,
    pub map_without_location: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub gone_title: &'static str,
    pub gone_text: &'static str,
    pub error_title: &'static str,
    pub error_text: &'static str,
    pub back_to_directory: &'static str,
    pub by: &'static str,
}

const EN_TEXTS: Texts = Texts {
    skip_to_content: "Skip to content",
    nav_home: "Home",
    nav_directory: "Co-ops",
    nav_map: "Map",
    nav_news: "News",
    nav_federation: "Federation",
    nav_about: "About",
    language: "Language",
    footer_powered: "Powered by coopnet, free software (AGPL-3.0).",
    footer_data: "Directory data",
    footer_feeds: "Feeds",
    search_label: "Search co-ops",
    search_placeholder: "Skill, technology, place…",
    search_button: "Search",
    home_here: "co-ops in this network",
    home_federation: "co-ops across the federation",
    home_networks: "networks",
    home_newest: "Newest members",
    home_latest_news: "Latest news",
    directory_title: "Co-op directory",
    results: "results",
    no_results: "No co-op matches. Try fewer words or remove a filter.",
    filters: "Filters",
    facet_network: "Network",
    facet_country: "Country",
    facet_service: "Service",
    facet_technology: "Technology",
    facet_language: "Language",
    clear_filters: "Clear all filters",
    remove_filter: "Remove filter",
    sort_label: "Sort by",
    sort_relevance: "Relevance",
    sort_name: "Name",
    sort_newest: "Newest",
    apply: "Apply",
    previous: "Previous",
    next: "Next",
    page_of: "Page {page} of {pages}",
    member_of: "Member of",
    federated_note: "This co-op belongs to another network of the federation. The information here is a copy kept in sync with its home network.",
    home_profile: "Home profile",
    field_website: "Website",
    field_location: "Location",
    field_services: "Services",
    field_technologies: "Technologies",
    field_languages: "Languages",
    field_workers: "Workers",
    field_founded: "Founded",
    field_legal_form: "Legal form",
    field_contact: "Contact",
    field_links: "Elsewhere",
    fediverse_handle: "Fediverse handle",
    copy: "Copy",
    copied: "Copied",
    follow_title: "Follow from your server",
    follow_help: "Enter the address of your Mastodon (or other fediverse) server; you will be sent there to confirm the follow.",
    follow_instance_label: "Your server",
    follow_button: "Follow",
    news: "News",
    no_news: "No news yet.",
    federation_news: "From the federation",
    no_federation_news: "No posts from other networks yet.",
    shared_by: "shared by",
    in_reply_to: "in reply to",
    linked_posts: "On the fediverse",
    network_members: "Member co-ops",
    federation_title: "Federation",
    federation_intro: "Networks this network federates with. Their co-ops appear in the directory and stay up to date.",
    peer_network: "Network",
    peer_state: "State",
    peer_members: "Co-ops",
    peer_last_sync: "Last sync",
    state_following: "we follow them",
    state_follower: "they follow us",
    state_pending: "pending",
    state_mutual: "mutual",
    never: "never",
    no_peers: "This network does not federate with any other network yet.",
    suggested_peers: "Networks our peers federate with",
    about_title: "About",
    about_text: "This directory is run by the network and federates with other networks of co-operatives across Europe using ActivityPub. Every co-op and the network can be followed from Mastodon and other fediverse software.",
    about_api: "Machine-readable data",
    map_title: "Map of the federation",
    map_intro: "Every co-op with a known location, plotted by its coordinates and grouped by country.",
    map_without_location: "co-ops have no location and are not shown.",
    not_found_title: "Not found",
    not_found_text: "There is no page at this address.",
    gone_title: "Gone",
    gone_text: "This was removed.",
    error_title: "Something went wrong",
    error_text: "Please try again in a moment.",
    back_to_directory: "Back to the directory",
    by: "by",
};

const DE_TEXTS: Texts = Texts {
    skip_to_content: "Zum Inhalt springen",
    nav_home: "Startseite",
    nav_directory: "Genossenschaften",
    nav_map: "Karte",
    nav_news: "Neuigkeiten",
    nav_federation: "Föderation",
    nav_about: "Über uns",
    language: "Sprache",
    footer_powered: "Betrieben mit coopnet, freier Software (AGPL-3.0).",
    footer_data: "Verzeichnisdaten",
    footer_feeds: "Feeds",
    search_label: "Genossenschaften durchsuchen",
    search_placeholder: "Fähigkeit, Technologie, Ort…",
    search_button: "Suchen",
    home_here: "Genossenschaften in diesem Netzwerk",
    home_federation: "Genossenschaften in der gesamten Föderation",
    home_networks: "Netzwerke",
    home_newest: "Neueste Mitglieder",
    home_latest_news: "Aktuelle Neuigkeiten",
    directory_title: "Genossenschaftsverzeichnis",
    results: "Ergebnisse",
    no_results: "Keine Genossenschaft gefunden. Versuchen Sie es mit weniger Wörtern oder entfernen Sie einen Filter.",
    filters: "Filter",
    facet_network: "Netzwerk",
    facet_country: "Land",
    facet_service: "Leistung",
    facet_technology: "Technologie",
    facet_language: "Sprache",
    clear_filters: "Alle Filter zurücksetzen",
    remove_filter: "Filter entfernen",
    sort_label: "Sortieren nach",
    sort_relevance: "Relevanz",
    sort_name: "Name",
    sort_newest: "Neueste",
    apply: "Anwenden",
    previous: "Zurück",
    next: "Weiter",
    page_of: "Seite {page} von {pages}",
    member_of: "Mitglied von",
    federated_note: "Diese Genossenschaft gehört zu einem anderen Netzwerk der Föderation. Die Angaben hier sind eine Kopie, die mit ihrem Heimatnetzwerk synchron gehalten wird.",
    home_profile: "Profil im Heimatnetzwerk",
    field_website: "Website",
    field_location: "Standort",
    field_services: "Leistungen",
    field_technologies: "Technologien",
    field_languages: "Sprachen",
    field_workers: "Beschäftigte",
    field_founded: "Gegründet",
    field_legal_form: "Rechtsform",
    field_contact: "Kontakt",
    field_links: "Anderswo im Netz",
    fediverse_handle: "Fediverse-Adresse",
    copy: "Kopieren",
    copied: "Kopiert",
    follow_title: "Von Ihrem Server aus folgen",
    follow_help: "Geben Sie die Adresse Ihres Mastodon-Servers (oder eines anderen Fediverse-Servers) ein; Sie werden dorthin weitergeleitet, um das Folgen zu bestätigen.",
    follow_instance_label: "Ihr Server",
    follow_button: "Folgen",
    news: "Neuigkeiten",
    no_news: "Noch keine Neuigkeiten.",
    federation_news: "Aus der Föderation",
    no_federation_news: "Noch keine Beiträge aus anderen Netzwerken.",
    shared_by: "geteilt von",
    in_reply_to: "als Antwort auf",
    linked_posts: "Im Fediverse",
    network_members: "Mitgliedsgenossenschaften",
    federation_title: "Föderation",
    federation_intro: "Netzwerke, mit denen dieses Netzwerk föderiert. Ihre Genossenschaften erscheinen im Verzeichnis und bleiben auf dem neuesten Stand.",
    peer_network: "Netzwerk",
    peer_state: "Status",
    peer_members: "Genossenschaften",
    peer_last_sync: "Letzte Synchronisierung",
    state_following: "wir folgen ihnen",
    state_follower: "sie folgen uns",
    state_pending: "ausstehend",
    state_mutual: "gegenseitig",
    never: "nie",
    no_peers: "Dieses Netzwerk föderiert noch mit keinem anderen Netzwerk.",
    suggested_peers: "Netzwerke, mit denen unsere Partner föderieren",
    about_title: "Über uns",
    about_text: "Dieses Verzeichnis wird vom Netzwerk betrieben und föderiert über ActivityPub mit anderen Genossenschaftsnetzwerken in ganz Europa. Jeder Genossenschaft und dem Netzwerk selbst können Sie von Mastodon und anderer Fediverse-Software aus folgen.",
    about_api: "Maschinenlesbare Daten",
    map_title: "Karte der Föderation",
    map_intro: "Alle Genossenschaften mit bekanntem Standort, nach ihren Koordinaten eingezeichnet und nach Land gruppiert.",
    map_without_location: "Genossenschaften haben keinen Standort und werden nicht angezeigt.",
    not_found_title: "Nicht gefunden",
    not_found_text: "Unter dieser Adresse gibt es keine Seite.",
    gone_title: "Entfernt",
    gone_text: "Dieser Inhalt wurde entfernt.",
    error_title: "Etwas ist schiefgelaufen",
    error_text: "Bitte versuchen Sie es gleich noch einmal.",
    back_to_directory: "Zurück zum Verzeichnis",
    by: "von",
};

const NL_TEXTS: Texts = Texts {
    skip_to_content: "Naar de inhoud",
    nav_home: "Home",
    nav_directory: "Coöperaties",
    nav_map: "Kaart",
    nav_news: "Nieuws",
    nav_federation: "Federatie",
    nav_about: "Over ons",
    language: "Taal",
    footer_powered: "Draait op coopnet, vrije software (AGPL-3.0).",
    footer_data: "Gegevens van de gids",
    footer_feeds: "Feeds",
    search_label: "Coöperaties zoeken",
    search_placeholder: "Vaardigheid, technologie, plaats…",
    search_button: "Zoeken",
    home_here: "coöperaties in dit netwerk",
    home_federation: "coöperaties in de hele federatie",
    home_networks: "netwerken",
    home_newest: "Nieuwste leden",
    home_latest_news: "Laatste nieuws",
    directory_title: "Coöperatiegids",
    results: "resultaten",
    no_results: "Geen coöperaties gevonden. Probeer minder woorden of verwijder een filter.",
    filters: "Filters",
    facet_network: "Netwerk",
    facet_country: "Land",
    facet_service: "Dienst",
    facet_technology: "Technologie",
    facet_language: "Taal",
    clear_filters: "Alle filters wissen",
    remove_filter: "Filter verwijderen",
    sort_label: "Sorteren op",
    sort_relevance: "Relevantie",
    sort_name: "Naam",
    sort_newest: "Nieuwste",
    apply: "Toepassen",
    previous: "Vorige",
    next: "Volgende",
    page_of: "Pagina {page} van {pages}",
    member_of: "Lid van",
    federated_note: "Deze coöperatie hoort bij een ander netwerk van de federatie. De informatie hier is een kopie die gelijk wordt gehouden met haar thuisnetwerk.",
    home_profile: "Profiel bij het thuisnetwerk",
    field_website: "Website",
    field_location: "Locatie",
    field_services: "Diensten",
    field_technologies: "Technologieën",
    field_languages: "Talen",
    field_workers: "Medewerkers",
    field_founded: "Opgericht",
    field_legal_form: "Rechtsvorm",
    field_contact: "Contact",
    field_links: "Elders",
    fediverse_handle: "Fediverse-adres",
    copy: "Kopiëren",
    copied: "Gekopieerd",
    follow_title: "Volgen vanaf je eigen server",
    follow_help: "Vul het adres in van je Mastodon-server (of een andere fediverse-server); je wordt daarheen gestuurd om het volgen te bevestigen.",
    follow_instance_label: "Je server",
    follow_button: "Volgen",
    news: "Nieuws",
    no_news: "Nog geen nieuws.",
    federation_news: "Uit de federatie",
    no_federation_news: "Nog geen berichten van andere netwerken.",
    shared_by: "gedeeld door",
    in_reply_to: "als antwoord op",
    linked_posts: "Op de fediverse",
    network_members: "Aangesloten coöperaties",
    federation_title: "Federatie",
    federation_intro: "Netwerken waarmee dit netwerk federeert. Hun coöperaties verschijnen in de gids en blijven actueel.",
    peer_network: "Netwerk",
    peer_state: "Status",
    peer_members: "Coöperaties",
    peer_last_sync: "Laatst gesynchroniseerd",
    state_following: "wij volgen hen",
    state_follower: "zij volgen ons",
    state_pending: "in afwachting",
    state_mutual: "wederzijds",
    never: "nooit",
    no_peers: "Dit netwerk federeert nog met geen enkel ander netwerk.",
    suggested_peers: "Netwerken waarmee onze partners federeren",
    about_title: "Over ons",
    about_text: "Deze gids wordt beheerd door het netwerk en federeert via ActivityPub met andere netwerken van coöperaties in heel Europa. Elke coöperatie en het netwerk zelf kun je volgen vanaf Mastodon en andere fediverse-software.",
    about_api: "Machineleesbare gegevens",
    map_title: "Kaart van de federatie",
    map_intro: "Alle coöperaties met een bekende locatie, geplaatst op hun coördinaten en gegroepeerd per land.",
    map_without_location: "coöperaties hebben geen locatie en worden niet getoond.",
    not_found_title: "Niet gevonden",
    not_found_text: "Er is geen pagina op dit adres.",
    gone_title: "Verwijderd",
    gone_text: "Dit is verwijderd.",
    error_title: "Er ging iets mis",
    error_text: "Probeer het zo meteen opnieuw.",
    back_to_directory: "Terug naar de gids",
    by: "door",
};

const FR_TEXTS: Texts = Texts {
    skip_to_content: "Aller au contenu",
    nav_home: "Accueil",
    nav_directory: "Coopératives",
    nav_map: "Carte",
    nav_news: "Actualités",
    nav_federation: "Fédération",
    nav_about: "À propos",
    language: "Langue",
    footer_powered: "Propulsé par coopnet, logiciel libre (AGPL-3.0).",
    footer_data: "Données de l’annuaire",
    footer_feeds: "Flux",
    search_label: "Rechercher des coopératives",
    search_placeholder: "Compétence, technologie, lieu…",
    search_button: "Rechercher",
    home_here: "coopératives dans ce réseau",
    home_federation: "coopératives dans toute la fédération",
    home_networks: "réseaux",
    home_newest: "Nouveaux membres",
    home_latest_news: "Dernières actualités",
    directory_title: "Annuaire des coopératives",
    results: "résultats",
    no_results: "Aucune coopérative ne correspond. Essayez avec moins de mots ou retirez un filtre.",
    filters: "Filtres",
    facet_network: "Réseau",
    facet_country: "Pays",
    facet_service: "Service",
    facet_technology: "Technologie",
    facet_language: "Langue",
    clear_filters: "Effacer tous les filtres",
    remove_filter: "Retirer le filtre",
    sort_label: "Trier par",
    sort_relevance: "Pertinence",
    sort_name: "Nom",
    sort_newest: "Plus récentes",
    apply: "Appliquer",
    previous: "Précédent",
    next: "Suivant",
    page_of: "Page {page} sur {pages}",
    member_of: "Membre de",
    federated_note: "Cette coopérative appartient à un autre réseau de la fédération. Les informations présentées ici sont une copie synchronisée avec son réseau d’origine.",
    home_profile: "Profil d’origine",
    field_website: "Site web",
    field_location: "Localisation",
    field_services: "Services",
    field_technologies: "Technologies",
    field_languages: "Langues",
    field_workers: "Effectif",
    field_founded: "Année de création",
    field_legal_form: "Forme juridique",
    field_contact: "Contact",
    field_links: "Ailleurs sur le web",
    fediverse_handle: "Identifiant fédivers",
    copy: "Copier",
    copied: "Copié",
    follow_title: "Suivre depuis votre serveur",
    follow_help: "Saisissez l’adresse de votre serveur Mastodon (ou d’un autre serveur du fédivers)\u{a0}; vous y serez redirigé pour confirmer l’abonnement.",
    follow_instance_label: "Votre serveur",
    follow_button: "Suivre",
    news: "Actualités",
    no_news: "Pas encore d’actualités.",
    federation_news: "De la fédération",
    no_federation_news: "Pas encore de publications d’autres réseaux.",
    shared_by: "partagé par",
    in_reply_to: "en réponse à",
    linked_posts: "Sur le fédivers",
    network_members: "Coopératives membres",
    federation_title: "Fédération",
    federation_intro: "Réseaux avec lesquels ce réseau est fédéré. Leurs coopératives apparaissent dans l’annuaire et restent à jour.",
    peer_network: "Réseau",
    peer_state: "État",
    peer_members: "Coopératives",
    peer_last_sync: "Dernière synchronisation",
    state_following: "nous les suivons",
    state_follower: "ils nous suivent",
    state_pending: "en attente",
    state_mutual: "réciproque",
    never: "jamais",
    no_peers: "Ce réseau n’est encore fédéré avec aucun autre réseau.",
    suggested_peers: "Réseaux avec lesquels nos pairs sont fédérés",
    about_title: "À propos",
    about_text: "Cet annuaire est géré par le réseau et se fédère avec d’autres réseaux de coopératives à travers l’Europe grâce à ActivityPub. Chaque coopérative, ainsi que le réseau lui-même, peut être suivie depuis Mastodon et d’autres logiciels du fédivers.",
    about_api: "Données lisibles par machine",
    map_title: "Carte de la fédération",
    map_intro: "Toutes les coopératives dont l’emplacement est connu, placées selon leurs coordonnées et regroupées par pays.",
    map_without_location: "coopératives n’ont pas d’emplacement connu et ne sont pas affichées.",
    not_found_title: "Page introuvable",
    not_found_text: "Il n’y a aucune page à cette adresse.",
    gone_title: "Contenu supprimé",
    gone_text: "Ce contenu a été supprimé.",
    error_title: "Une erreur s’est produite",
    error_text: "Veuillez réessayer dans un instant.",
    back_to_directory: "Retour à l’annuaire",
    by: "par",
};

pub static EN: Texts = EN_TEXTS;
pub static DE: Texts = DE_TEXTS;
pub static NL: Texts = NL_TEXTS;
pub static FR: Texts = FR_TEXTS;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn query_then_cookie_then_accept_language() {
        let mut h = HeaderMap::new();
        h.insert(
            "accept-language",
            HeaderValue::from_static("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7"),
        );
        assert_eq!(negotiate(None, &h), (Lang::Fr, false));
        h.insert("cookie", HeaderValue::from_static("theme=dark; lang=nl"));
        assert_eq!(negotiate(None, &h), (Lang::Nl, false));
        assert_eq!(negotiate(Some("de"), &h), (Lang::De, true));
        assert_eq!(negotiate(Some("xx"), &h), (Lang::Nl, false));
        assert_eq!(negotiate(None, &HeaderMap::new()), (Lang::En, false));
        let mut q = HeaderMap::new();
        q.insert("accept-language", HeaderValue::from_static("es, de;q=0.5"));
        assert_eq!(negotiate(None, &q), (Lang::De, false));
    }

    /// Every field of [`Texts`] with its name. Keep in sync with the struct: a field missing
    /// here is not checked by the tests below.
    fn fields(t: &Texts) -> Vec<(&'static str, &'static str)> {
        vec![
            ("skip_to_content", t.skip_to_content),
            ("nav_home", t.nav_home),
            ("nav_directory", t.nav_directory),
            ("nav_map", t.nav_map),
            ("nav_news", t.nav_news),
            ("nav_federation", t.nav_federation),
            ("nav_about", t.nav_about),
            ("language", t.language),
            ("footer_powered", t.footer_powered),
            ("footer_data", t.footer_data),
            ("footer_feeds", t.footer_feeds),
            ("search_label", t.search_label),
            ("search_placeholder", t.search_placeholder),
            ("search_button", t.search_button),
            ("home_here", t.home_here),
            ("home_federation", t.home_federation),
            ("home_networks", t.home_networks),
            ("home_newest", t.home_newest),
            ("home_latest_news", t.home_latest_news),
            ("directory_title", t.directory_title),
            ("results", t.results),
            ("no_results", t.no_results),
            ("filters", t.filters),
            ("facet_network", t.facet_network),
            ("facet_country", t.facet_country),
            ("facet_service", t.facet_service),
            ("facet_technology", t.facet_technology),
            ("facet_language", t.facet_language),
            ("clear_filters", t.clear_filters),
            ("remove_filter", t.remove_filter),
            ("sort_label", t.sort_label),
            ("sort_relevance", t.sort_relevance),
            ("sort_name", t.sort_name),
            ("sort_newest", t.sort_newest),
            ("apply", t.apply),
            ("previous", t.previous),
            ("next", t.next),
            ("page_of", t.page_of),
            ("member_of", t.member_of),
            ("federated_note", t.federated_note),
            ("home_profile", t.home_profile),
            ("field_website", t.field_website),
            ("field_location", t.field_location),
            ("field_services", t.field_services),
            ("field_technologies", t.field_technologies),
            ("field_languages", t.field_languages),
            ("field_workers", t.field_workers),
            ("field_founded", t.field_founded),
            ("field_legal_form", t.field_legal_form),
            ("field_contact", t.field_contact),
            ("field_links", t.field_links),
            ("fediverse_handle", t.fediverse_handle),
            ("copy", t.copy),
            ("copied", t.copied),
            ("follow_title", t.follow_title),
            ("follow_help", t.follow_help),
            ("follow_instance_label", t.follow_instance_label),
            ("follow_button", t.follow_button),
            ("news", t.news),
            ("no_news", t.no_news),
            ("federation_news", t.federation_news),
            ("no_federation_news", t.no_federation_news),
            ("shared_by", t.shared_by),
            ("in_reply_to", t.in_reply_to),
            ("linked_posts", t.linked_posts),
            ("network_members", t.network_members),
            ("federation_title", t.federation_title),
            ("federation_intro", t.federation_intro),
            ("peer_network", t.peer_network),
            ("peer_state", t.peer_state),
            ("peer_members", t.peer_members),
            ("peer_last_sync", t.peer_last_sync),
            ("state_following", t.state_following),
            ("state_follower", t.state_follower),
            ("state_pending", t.state_pending),
            ("state_mutual", t.state_mutual),
            ("never", t.never),
            ("no_peers", t.no_peers),
            ("suggested_peers", t.suggested_peers),
            ("about_title", t.about_title),
            ("about_text", t.about_text),
            ("about_api", t.about_api),
            ("map_title", t.map_title),
            ("map_intro", t.map_intro),
            ("map_without_location", t.map_without_location),
            ("not_found_title", t.not_found_title),
            ("not_found_text", t.not_found_text),
            ("gone_title", t.gone_title),
            ("gone_text", t.gone_text),
            ("error_title", t.error_title),
            ("error_text", t.error_text),
            ("back_to_directory", t.back_to_directory),
            ("by", t.by),
        ]
    }

    /// Checks that a translation differs from English in every field but `same_as_english`,
    /// whose values must be identical (so the allow-list stays honest).
    fn assert_translated(lang: Lang, same_as_english: &[&str]) {
        let en = fields(&EN);
        let tr = fields(lang.texts());
        assert_eq!(en.len(), tr.len());
        for ((name, en_value), (_, value)) in en.iter().zip(&tr) {
            assert!(!value.trim().is_empty(), "{}: {name} is empty", lang.code());
            if same_as_english.contains(name) {
                assert_eq!(
                    value,
                    en_value,
                    "{}: {name} is allowed to equal English but differs",
                    lang.code()
                );
            } else {
                assert_ne!(value, en_value, "{}: {name} is not translated", lang.code());
            }
        }
        for name in same_as_english {
            assert!(
                en.iter().any(|(n, _)| n == name),
                "{}: unknown field {name}",
                lang.code()
            );
        }
        let page_of = lang.texts().page_of;
        assert!(
            page_of.contains("{page}") && page_of.contains("{pages}"),
            "{}: {page_of}",
            lang.code()
        );
    }

    #[test]
    fn fields_lists_every_field() {
        // `Texts` holds only `&'static str` fields, so its size tells whether `fields` lists
        // them all; the names must be distinct.
        assert_eq!(
            fields(&EN).len() * std::mem::size_of::<&'static str>(),
            std::mem::size_of::<Texts>()
        );
        let mut names: Vec<_> = fields(&EN).into_iter().map(|(n, _)| n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), fields(&EN).len());
    }

    #[test]
    fn german_is_translated() {
        assert_translated(Lang::De, &["footer_feeds", "sort_name", "field_website"]);
    }

    #[test]
    fn dutch_is_translated() {
        assert_translated(
            Lang::Nl,
            &[
                "nav_home",
                "footer_feeds",
                "filters",
                "field_website",
                "field_contact",
            ],
        );
    }

    #[test]
    fn french_is_translated() {
        assert_translated(
            Lang::Fr,
            &[
                "facet_service",
                "field_services",
                "field_technologies",
                "field_contact",
            ],
        );
    }
}
