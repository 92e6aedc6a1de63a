//! What a request may ask for: image size and number of layers, checked
//! while parsing; and the render budget (time, pixels × layers), checked
//! by the engine once it knows which layers a GetMap draws.

use std::time::Duration;

use crate::config::{
    DEFAULT_MAX_PIXEL_LAYERS, DEFAULT_MAX_RENDER_MS, DEFAULT_MAX_SIZE, ServiceConfig,
};

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

/// How much drawing one GetMap may cost (`[service] max_render_ms` and
/// `max_pixel_layers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderBudget {
    /// Longest time to draw; `None`: no limit. [default: 10 s]
    pub max_render: Option<Duration>,
    /// Most WIDTH × HEIGHT × drawn layers; `None`: no limit.
    /// [default: 64 × 2048 × 2048]
    pub max_pixel_layers: Option<u64>,
}

impl Default for RenderBudget {
    fn default() -> Self {
        Self {
            max_render: Some(Duration::from_millis(DEFAULT_MAX_RENDER_MS)),
            max_pixel_layers: Some(DEFAULT_MAX_PIXEL_LAYERS),
        }
    }
}

impl RenderBudget {
    /// The budget of `[service]`; 0 switches a limit off.
    pub fn from_service(service: &ServiceConfig) -> Self {
        Self {
            max_render: (service.max_render_ms > 0)
                .then(|| Duration::from_millis(service.max_render_ms)),
            max_pixel_layers: (service.max_pixel_layers > 0).then_some(service.max_pixel_layers),
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
        assert_eq!(
            RenderBudget::from_service(&service),
            RenderBudget::default()
        );
        let unlimited = ServiceConfig {
            max_render_ms: 0,
            max_pixel_layers: 0,
            ..ServiceConfig::default()
        };
        assert_eq!(
            RenderBudget::from_service(&unlimited),
            RenderBudget {
                max_render: None,
                max_pixel_layers: None
            }
        );
    }
}
