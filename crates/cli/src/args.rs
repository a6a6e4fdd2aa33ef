//! The command line, declared with clap.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// coopnet: a federated directory of co-operatives.
///
/// With no configuration file, coopnet runs a local demo instance on
/// http://localhost:8080 with SQLite under data/ and the CoTech demo members.
#[derive(Debug, Parser)]
#[command(name = "coopnet", version, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML); see config/default.toml. Without one, demo settings apply.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "COOPNET_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the instance: migrate, then serve HTTP until Ctrl-C.
    Serve(ServeArgs),
    /// Manage the database schema.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Manage member co-ops.
    #[command(subcommand)]
    Coop(CoopCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Publish and delete news posts (federated to followers).
    #[command(subcommand)]
    Post(PostCommand),
    /// Follow other networks and actors from this network's actor.
    #[command(subcommand)]
    Federation(FederationCommand),
    /// Inspect the outgoing delivery queue.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Create a one-time link that makes a web console account (the first admin of a new
    /// instance is made this way) and print it.
    Invite(InviteArgs),
    /// Show the effective configuration.
    Config,
    /// Write everything local (co-ops, keys, tokens, follows, posts, queue, console accounts)
    /// to FILE (JSON).
    Backup { file: std::path::PathBuf },
    /// Restore a backup FILE into a new, empty database (the configured `database_url`).
    Restore { file: std::path::PathBuf },
    /// Run a demo European federation: four networks (UK, DE, NL, FR) on localhost, each
    /// seeded with members, following each other in a full mesh.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides `listen`).
    #[arg(long)]
    pub listen: Option<String>,
    /// Public host name with optional port, e.g. coops.tech (overrides `domain`).
    #[arg(long)]
    pub domain: Option<String>,
    /// Database URL (overrides `database_url`).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the four SQLite databases (created; reused on the next run).
    #[arg(long, default_value = "demo-data")]
    pub data_dir: std::path::PathBuf,
    /// Port of the first instance; the others take the next three.
    #[arg(long, default_value_t = 8081)]
    pub base_port: u16,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (the default).
    Up,
    /// Roll back migrations (the last one, or --all).
    Down {
        /// Roll back every migration (drops all data).
        #[arg(long)]
        all: bool,
    },
    /// List applied and pending migrations.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum CoopCommand {
    /// Add a co-op.
    Add {
        /// Its handle (lowercase letters, digits, _ . -).
        slug: String,
        #[command(flatten)]
        fields: ProfileFields,
    },
    /// Change fields of a co-op; unnamed fields keep their values.
    Edit {
        slug: String,
        #[command(flatten)]
        fields: ProfileFields,
        /// A JSON object of fields to change, e.g. '{"workers": 12}'.
        #[arg(long, value_name = "JSON")]
        json: Option<String>,
    },
    /// Remove a co-op (its handle is never reused).
    Remove { slug: String },
    /// Link the fediverse account the co-op already posts from (it must link back to the
    /// co-op's profile here); the network then follows it and boosts its public posts.
    Link {
        slug: String,
        /// The account: @user@host, user@host or an actor URL.
        account: String,
    },
    /// Unlink the co-op's fediverse account; the network stops following it.
    Unlink { slug: String },
    /// Show one co-op.
    Show {
        slug: String,
        /// Print JSON (the import format).
        #[arg(long)]
        json: bool,
    },
    /// List co-ops.
    List {
        /// Print JSON (the import format).
        #[arg(long)]
        json: bool,
    },
    /// Import co-ops from a JSON or CSV file: all records or none (docs/import-format.md).
    Import {
        file: PathBuf,
        /// File format; guessed from the extension when omitted.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Replace co-ops whose slug already exists instead of refusing them.
        #[arg(long)]
        upsert: bool,
    },
    /// Export every co-op.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Write to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// Profile fields as flags; lists take `;`- or `,`-separated values.
#[derive(Debug, Default, Args)]
pub struct ProfileFields {
    #[arg(long)]
    pub name: Option<String>,
    /// Summary in one language, as LANG=MARKDOWN (repeatable).
    #[arg(long, value_name = "LANG=TEXT")]
    pub summary: Vec<String>,
    #[arg(long)]
    pub website: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub locality: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub latitude: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    pub longitude: Option<f64>,
    /// Year founded.
    #[arg(long)]
    pub founded: Option<i64>,
    /// Number of workers.
    #[arg(long)]
    pub workers: Option<i64>,
    #[arg(long)]
    pub legal_form: Option<String>,
    /// Services, e.g. "Web Design; Hosting".
    #[arg(long)]
    pub services: Option<String>,
    /// Technologies, e.g. "Rust; PostgreSQL".
    #[arg(long)]
    pub technologies: Option<String>,
    /// Languages worked in, e.g. "en; cy".
    #[arg(long)]
    pub languages: Option<String>,
    #[arg(long)]
    pub logo: Option<String>,
    /// A link as KIND=URL (fediverse, twitter, github, linkedin, facebook, instagram, forge,
    /// other); repeatable; replaces all links.
    #[arg(long, value_name = "KIND=URL")]
    pub link: Vec<String>,
    /// Listed in the public directory.
    #[arg(long)]
    pub listed: Option<bool>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// `admin` (runs the network) or `editor` (edits one co-op, see --coop).
    #[arg(long, value_name = "ROLE")]
    pub role: coopnet_core::Role,
    /// The co-op an editor invite is for.
    #[arg(long, value_name = "SLUG")]
    pub coop: Option<String>,
    /// Make the account for this address only.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// A token that manages everything.
        #[arg(long, conflicts_with = "coop", required_unless_present = "coop")]
        admin: bool,
        /// A token that may only edit this co-op.
        #[arg(long, value_name = "SLUG")]
        coop: Option<String>,
        /// Who holds it.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by id (see `token list`).
    Revoke { id: i64 },
    /// List tokens (never their secrets).
    List,
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Publish a post (Markdown) for a co-op or the network.
    Create {
        /// The co-op posting.
        #[arg(
            long,
            value_name = "SLUG",
            conflicts_with = "network",
            required_unless_present = "network"
        )]
        coop: Option<String>,
        /// Post as the network.
        #[arg(long)]
        network: bool,
        /// The language the post is written in (BCP 47, e.g. `de`); defaults to the
        /// co-op's first language (the network's, for network posts).
        #[arg(long, value_name = "TAG")]
        lang: Option<String>,
        /// The text, Markdown. `#words` become hashtags and `@user@host` mentions.
        text: String,
    },
    /// Delete a post by id (its URL then answers 410).
    Delete { id: String },
    /// List posts of a co-op or the network.
    List {
        #[arg(
            long,
            value_name = "SLUG",
            conflicts_with = "network",
            required_unless_present = "network"
        )]
        coop: Option<String>,
        #[arg(long)]
        network: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Follow a network (or any actor): acct:user@host, @user@host, user@host or an actor URL.
    Follow { target: String },
    /// Stop following everything on DOMAIN (a host name, with :port if any) and drop its co-ops.
    Unfollow { domain: String },
    /// List peer networks: state, member count, last sync.
    List,
    /// List networks following this one or asking to.
    Requests,
    /// Accept the follow request of DOMAIN.
    Accept { domain: String },
    /// Reject the follow request of DOMAIN (nothing is kept).
    Reject { domain: String },
    /// Block DOMAIN: refuse its activities, drop its follows and co-ops.
    Block {
        domain: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lift a block.
    Unblock { domain: String },
    /// Resync peer member directories now (all, or DOMAIN's).
    Resync { domain: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Deliveries by state, and the receiving hosts that are failing (docs/delivery.md).
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}
