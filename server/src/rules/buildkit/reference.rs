//! The two parsers BuildKit applies to FROM after ARG expansion: image references (the
//! distribution reference grammar, as `ParseNormalizedNamed` accepts them) and platform
//! specifiers (`os[/arch[/variant]]`).

/// Whether `s` is a reference `ParseNormalizedNamed` accepts: `[domain/]path[:tag][@digest]`
/// with a lower-case path, not a bare 64-hex identifier.
pub fn is_valid_reference(s: &str) -> bool {
    if s.is_empty() || s.len() > 512 {
        return false;
    }
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return false;
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        if !is_digest(d) {
            return false;
        }
    }
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        if !is_tag(t) {
            return false;
        }
    }
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let (domain, path) = split_domain(name);
    if let Some(d) = domain {
        if !is_domain(d) {
            return false;
        }
    }
    !path.is_empty() && path.split('/').all(is_path_component)
}

/// BuildKit's (docker's) rule: the first component is a registry when it contains `.` or
/// `:`, is `localhost`, or has upper-case letters.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_ascii_lowercase() != first =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn is_path_component(c: &str) -> bool {
    // [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum_lower(b[0]) || !is_alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // a separator
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start || !b.get(i).is_some_and(|&x| is_alnum_lower(x)) {
            return false;
        }
    }
    true
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_domain(d: &str) -> bool {
    if let Some(v6) = d.strip_prefix('[') {
        let Some((addr, port)) = v6.split_once(']') else {
            return false;
        };
        return addr
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            && (port.is_empty() || port.strip_prefix(':').is_some_and(is_port));
    }
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if port.is_some_and(|p| !is_port(p)) {
        return false;
    }
    !host.is_empty()
        && host.split('.').all(|c| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        })
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
}

fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

fn is_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        let b = c.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A parsed platform: operating system and normalized architecture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

fn normalize_arch(arch: &str) -> String {
    match arch {
        "i386" => "386",
        "x86_64" | "x86-64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armhf" | "armel" | "arm" => "arm",
        other => other,
    }
    .to_string()
}

/// containerd's `platforms.Parse` for the forms Dockerfiles use; `None` when it would fail.
pub fn parse_platform(s: &str) -> Option<Platform> {
    let valid = |c: &str| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    let parts: Vec<String> = s.split('/').map(|p| p.to_ascii_lowercase()).collect();
    if parts.iter().any(|p| !valid(p)) {
        return None;
    }
    match parts.as_slice() {
        [one] => {
            if KNOWN_OS.contains(&one.as_str()) {
                Some(Platform {
                    os: one.clone(),
                    arch: "amd64".into(),
                    variant: None,
                })
            } else {
                let arch = normalize_arch(one);
                KNOWN_ARCH.contains(&arch.as_str()).then(|| Platform {
                    os: "linux".into(),
                    arch,
                    variant: None,
                })
            }
        }
        [os, arch] => Some(Platform {
            os: os.clone(),
            arch: normalize_arch(arch),
            variant: None,
        }),
        [os, arch, variant] => Some(Platform {
            os: os.clone(),
            arch: normalize_arch(arch),
            variant: Some(variant.clone()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for ok in [
            "busybox",
            "busybox:latest",
            "library/busybox:1.36",
            "ghcr.io/owner/repo:tag",
            "localhost:5000/x",
            "scratch",
            "a-b__c/d.e",
            "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(is_valid_reference(ok), "{ok}");
        }
        for bad in [
            "", "busybox:", "Busybox", ":latest", "busy box", "a//b", "-a", "a:b:c",
        ] {
            assert!(!is_valid_reference(bad), "{bad}");
        }
    }

    #[test]
    fn platforms() {
        assert_eq!(
            parse_platform("linux/amd64").map(|p| p.arch),
            Some("amd64".into())
        );
        assert_eq!(
            parse_platform("linux/x86_64").map(|p| p.arch),
            Some("amd64".into())
        );
        assert!(parse_platform("linux/").is_none());
        assert!(parse_platform("nonsense").is_none());
    }
}
