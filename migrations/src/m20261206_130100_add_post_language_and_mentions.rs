//! `post.language` and `post.mentions`: the language a news post is written in (a BCP 47
//! tag, the key of the Note's `contentMap`, so fediverse servers can filter and translate
//! it), and the accounts it mentions as resolved when it was written (a JSON array of
//! `{"handle": "user@host", "actor": "https://…"}`, the Note's `Mention` tags). Resolving
//! takes a WebFinger lookup, so it happens once, at writing time, not on every render.
//! Existing posts get neither (their Notes carry `content` and hashtags only, as before).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Post {
    Table,
    Language,
    Mentions,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [Post::Language, Post::Mentions] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Post::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Post::Language, Post::Mentions] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Post::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
