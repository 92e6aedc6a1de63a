//! Random bytes from the operating system, the one source of every secret
//! of the accounts module (salts, TOTP secrets, recovery codes, session and
//! CSRF tokens). No user-space generator sits in between, so there is no
//! state to seed, fork or leak.

/// `N` random bytes, or the operating system's reason for having none.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_draws_differ() {
        let (a, b) = (random_bytes::<32>().unwrap(), random_bytes::<32>().unwrap());
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
