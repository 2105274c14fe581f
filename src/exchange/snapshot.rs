//! The venue's state as data, for the control API's export and import: every
//! account (orders, positions, fills, bills, settings), the id sequence, how far
//! each book has met its tape, and the prices imposed on each book. Instruments
//! and the market's own history come from the world and the seed, so they are
//! not part of it.

use serde::{Deserialize, Serialize};

use super::Exchange;
use super::account::Account;

/// A snapshot of the venue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VenueSnapshot {
    accounts: Vec<Account>,
    last_id: i64,
    synced: Vec<i64>,
    imposed: Vec<Vec<Vec<(i64, f64)>>>,
}

impl Exchange {
    pub(crate) fn snapshot(&self) -> VenueSnapshot {
        VenueSnapshot {
            accounts: self.accounts.clone(),
            last_id: self.ids.last(),
            synced: self.synced.clone(),
            imposed: self.books.iter().map(|b| b.imposed().to_vec()).collect(),
        }
    }

    /// Replaces the venue's state with `snapshot` (taken from a server on the same world).
    pub(crate) fn restore(&mut self, snapshot: VenueSnapshot) -> Result<(), String> {
        if snapshot.synced.len() != self.books.len() || snapshot.imposed.len() != self.books.len() {
            return Err(format!(
                "the snapshot has {} books, this world {}: it was taken on another world",
                snapshot.synced.len(),
                self.books.len()
            ));
        }
        for (book, imposed) in self.books.iter_mut().zip(snapshot.imposed) {
            book.set_imposed(imposed);
        }
        self.accounts = snapshot.accounts;
        for account in &mut self.accounts {
            account.reindex();
        }
        self.synced = snapshot.synced;
        self.ids.resume_after(snapshot.last_id);
        Ok(())
    }
}

/// Serde for maps whose keys are not strings: a list of `[key, value]` pairs.
pub(crate) mod entries {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<'a, M, K, V, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
    where
        &'a M: IntoIterator<Item = (&'a K, &'a V)>,
        K: Serialize + 'a,
        V: Serialize + 'a,
        S: Serializer,
    {
        serializer.collect_seq(map)
    }

    pub(crate) fn deserialize<'de, M, K, V, D>(deserializer: D) -> Result<M, D::Error>
    where
        M: FromIterator<(K, V)>,
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}
