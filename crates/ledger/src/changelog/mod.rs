//! Liquibase changelogs (formatted SQL, and XML/YAML masters that include them).
