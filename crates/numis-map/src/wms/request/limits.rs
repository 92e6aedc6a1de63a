//! What a request may ask for: image size and number of layers.

use crate::config::{DEFAULT_MAX_SIZE, ServiceConfig};

/// Most layers one GetMap may ask for. [default: 64]
pub const DEFAULT_MAX_LAYERS: usize = 64;

/// What a request may ask for; the capabilities advertise the same values
/// (`LayerLimit`, `MaxWidth`, `MaxHeight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest WIDTH. [default: 4096]
    pub max_width: u32,
    /// Largest HEIGHT. [default: 4096]
    pub max_height: u32,
    /// Most entries in LAYERS (and QUERY_LAYERS). [default: 64]
    pub max_layers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_width: DEFAULT_MAX_SIZE,
            max_height: DEFAULT_MAX_SIZE,
            max_layers: DEFAULT_MAX_LAYERS,
        }
    }
}

impl Limits {
    /// The limits of `[service]`, with [`DEFAULT_MAX_LAYERS`].
    pub fn from_service(service: &ServiceConfig) -> Self {
        Self {
            max_width: service.max_width,
            max_height: service.max_height,
            max_layers: DEFAULT_MAX_LAYERS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_from_the_service_configuration() {
        let service = ServiceConfig {
            max_width: 2000,
            max_height: 1000,
            ..ServiceConfig::default()
        };
        assert_eq!(
            Limits::from_service(&service),
            Limits {
                max_width: 2000,
                max_height: 1000,
                max_layers: 64
            }
        );
    }
}
