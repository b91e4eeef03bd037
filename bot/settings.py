"""All configuration in one place, read from the environment and `.env`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.resources import bundled_knowledge


def _env(*names: str) -> AliasChoices:
    """Accept a field by its name or by any of the given environment variable names."""
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Policybot's settings; explicit arguments win over the environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    # Storage
    data_dir: Path = Field(default=Path.home() / ".policybot", validation_alias=_env("data_dir", "POLICYBOT_DATA_DIR"))
    knowledge_dir: Path = Field(
        default_factory=bundled_knowledge,
        validation_alias=_env("knowledge_dir", "POLICYBOT_KNOWLEDGE_DIR"),
    )
    max_notice_chars: int = Field(
        default=500_000, ge=1_000, validation_alias=_env("max_notice_chars", "POLICYBOT_MAX_NOTICE_CHARS")
    )
    chroma_host: str | None = Field(default=None, validation_alias=_env("chroma_host", "CHROMA_HOST"))
    chroma_port: int = Field(default=8000, validation_alias=_env("chroma_port", "CHROMA_PORT"))
    chroma_ssl: bool = Field(default=False, validation_alias=_env("chroma_ssl", "CHROMA_SSL"))
    chroma_auth_token: SecretStr | None = Field(
        default=None, validation_alias=_env("chroma_auth_token", "CHROMA_AUTH_TOKEN")
    )

    # Embeddings
    embeddings: Literal["local", "openai"] = Field(
        default="local", validation_alias=_env("embeddings", "POLICYBOT_EMBEDDINGS")
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small",
        validation_alias=_env("openai_embedding_model", "POLICYBOT_OPENAI_EMBEDDING_MODEL"),
    )
    max_chunk_tokens: int = Field(default=512, validation_alias=_env("max_chunk_tokens", "POLICYBOT_MAX_CHUNK_TOKENS"))
    embed_threads: int | None = Field(
        default=None, ge=1, le=256, validation_alias=_env("embed_threads", "POLICYBOT_EMBED_THREADS")
    )
    """Threads of the local embedding model per call: all cores for ingest and `ask`; a server answering many
    chats at once (`serve`, `telegram`) uses 1 unless this is set, so concurrent answers do not contend."""

    # Questions
    max_question_chars: int = Field(
        default=500, ge=1, validation_alias=_env("max_question_chars", "POLICYBOT_MAX_QUESTION_CHARS")
    )
    today: date | None = Field(default=None, validation_alias=_env("today", "POLICYBOT_TODAY"))

    # Language model
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("openai_api_key", "OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_env("openai_base_url", "OPENAI_BASE_URL"))
    llm_model: str = Field(default="gpt-4o-mini", validation_alias=_env("llm_model", "POLICYBOT_LLM_MODEL"))
    llm_timeout: float = Field(default=30.0, validation_alias=_env("llm_timeout", "POLICYBOT_LLM_TIMEOUT"))
    llm_deadline: float = Field(default=60.0, gt=0, validation_alias=_env("llm_deadline", "POLICYBOT_LLM_DEADLINE"))
    mode: Literal["auto", "extractive", "llm"] = Field(default="auto", validation_alias=_env("mode", "POLICYBOT_MODE"))

    # Telegram
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("telegram_bot_token", "TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot", validation_alias=_env("telegram_base_url", "TELEGRAM_BASE_URL")
    )
    telegram_webhook_url: str | None = Field(
        default=None, validation_alias=_env("telegram_webhook_url", "TELEGRAM_WEBHOOK_URL")
    )
    telegram_webhook_port: int = Field(
        default=8443, validation_alias=_env("telegram_webhook_port", "TELEGRAM_WEBHOOK_PORT")
    )
    telegram_admin_ids: str = Field(default="", validation_alias=_env("telegram_admin_ids", "TELEGRAM_ADMIN_IDS"))
    telegram_rate_limit: int = Field(default=10, validation_alias=_env("telegram_rate_limit", "TELEGRAM_RATE_LIMIT"))
    telegram_history_turns: int = Field(
        default=4, validation_alias=_env("telegram_history_turns", "TELEGRAM_HISTORY_TURNS")
    )
    telegram_history_idle_minutes: float = Field(
        default=30.0, validation_alias=_env("telegram_history_idle_minutes", "TELEGRAM_HISTORY_IDLE_MINUTES")
    )
    telegram_edit_interval: float = Field(
        default=1.2, validation_alias=_env("telegram_edit_interval", "TELEGRAM_EDIT_INTERVAL")
    )
    feedback_salt: SecretStr | None = Field(
        default=None, validation_alias=_env("feedback_salt", "POLICYBOT_FEEDBACK_SALT")
    )

    # Web API and chat page (`policybot serve`)
    web_host: str = Field(default="127.0.0.1", validation_alias=_env("web_host", "POLICYBOT_WEB_HOST"))
    web_port: int = Field(default=8080, validation_alias=_env("web_port", "POLICYBOT_WEB_PORT"))
    api_keys: SecretStr | None = Field(default=None, validation_alias=_env("api_keys", "POLICYBOT_API_KEYS"))
    web_rate_limit: int = Field(default=20, ge=0, validation_alias=_env("web_rate_limit", "POLICYBOT_WEB_RATE_LIMIT"))
    web_cors_origins: str = Field(default="", validation_alias=_env("web_cors_origins", "POLICYBOT_WEB_CORS_ORIGINS"))
    web_max_body_bytes: int = Field(
        default=65536, ge=1024, validation_alias=_env("web_max_body_bytes", "POLICYBOT_WEB_MAX_BODY_BYTES")
    )

    @field_validator("data_dir", "knowledge_dir", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        """Accept `~` in paths from `.env`."""
        return value.expanduser()

    @property
    def server_mode(self) -> bool:
        """True when the index lives in a Chroma server rather than on local disk."""
        return bool(self.chroma_host)

    @property
    def chroma_dir(self) -> Path:
        """Where embedded Chroma keeps its files."""
        return self.data_dir / "chroma"

    @property
    def builds_dir(self) -> Path:
        """Where each index build's chunks and lexical index are cached (in server mode too: per machine)."""
        return self.data_dir / "builds"

    def current_date(self) -> date:
        """Today, or POLICYBOT_TODAY when set (for reproducible answers about 今年/最近)."""
        return self.today or date.today()

    @property
    def admin_ids(self) -> set[int]:
        """Telegram user ids allowed to use /stats and /reindex."""
        return {int(part) for part in self.telegram_admin_ids.replace(";", ",").split(",") if part.strip().isdigit()}

    @property
    def feedback_db(self) -> Path:
        """The SQLite file of answers and votes from Telegram."""
        return self.data_dir / "feedback.sqlite3"

    @property
    def tiktoken_cache_dir(self) -> Path:
        """Where the verified tiktoken vocabularies are unpacked."""
        return self.data_dir / "tiktoken"
