//! EXPOSE port specifications as BuildKit parses them, shared by ExposeProtoCasing,
//! ExposeInvalidFormat and the InvalidExposePort error.

/// One `[ip:][hostPort:]containerPort[/proto]` item, split BuildKit's way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec<'a> {
    pub raw: &'a str,
    pub ip: &'a str,
    pub host_port: &'a str,
    pub container_port: &'a str,
    /// As written (may be empty).
    pub proto: &'a str,
}

/// Split a port spec; `Err` with BuildKit's message when it is rejected before the
/// checks run (no port, unknown protocol).
pub fn split(raw: &str) -> Result<PortSpec<'_>, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host_port, container) = match parts.len() {
        1 => ("", "", parts[0]),
        2 => ("", parts[0], parts[1]),
        n => {
            // IPv6 addresses contain ':': the last two parts are the ports.
            let ip_len: usize = parts[..n - 2].iter().map(|p| p.len()).sum::<usize>() + (n - 3);
            (&raw[..ip_len], parts[n - 2], parts[n - 1])
        }
    };
    let (port, proto) = match container.split_once('/') {
        Some((p, pr)) => (p, pr),
        None => (container, ""),
    };
    if port.is_empty() {
        return Err(format!("invalid port: {}: no port specified", go(raw)));
    }
    match proto.to_ascii_lowercase().as_str() {
        "" | "tcp" | "udp" | "sctp" => {}
        _ => return Err(format!("invalid port: {}: invalid proto: {proto}", go(raw))),
    }
    Ok(PortSpec {
        raw,
        ip,
        host_port,
        container_port: port,
        proto,
    })
}

fn go(s: &str) -> String {
    super::common::go_quote(s)
}

/// The errors BuildKit reports after the checks: bad IP address, bad port or range.
pub fn validate(spec: &PortSpec) -> Result<(), String> {
    let mut ip = spec.ip;
    if let Some(inner) = ip.strip_prefix('[') {
        match inner.strip_suffix(']') {
            Some(i) => ip = i,
            None => return Err(format!("invalid IP address {ip}")),
        }
    }
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("invalid IP address: {ip}"));
    }
    let (start, end) = port_range(spec.container_port)
        .map_err(|_| format!("invalid containerPort: {}", spec.container_port))?;
    if !spec.host_port.is_empty() {
        let (hs, he) = port_range(spec.host_port)
            .map_err(|_| format!("invalid hostPort: {}", spec.host_port))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {} and {}",
                spec.container_port, spec.host_port
            ));
        }
    }
    Ok(())
}

fn port_range(s: &str) -> Result<(i64, i64), ()> {
    if s.is_empty() {
        return Err(());
    }
    let num = |p: &str| -> Result<i64, ()> {
        let v: i64 = p.parse().map_err(|_| ())?;
        if (0..=65535).contains(&v) {
            Ok(v)
        } else {
            Err(())
        }
    };
    match s.split_once('-') {
        None => num(s).map(|v| (v, v)),
        Some((a, b)) if a == b => num(a).map(|v| (v, v)),
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                Err(())
            } else {
                Ok((a, b))
            }
        }
    }
}

/// EXPOSE arguments after expansion, in the order BuildKit processes them (it sorts
/// the arguments as written, then expands each).
pub fn expanded_ports(
    ins: &crate::model::Instruction,
    env: &super::common::StageEnv,
    escape: char,
) -> Vec<(String, crate::model::Span, bool)> {
    let mut words: Vec<&crate::model::Word> = ins.words.iter().collect();
    words.sort_by(|a, b| super::common::raw(a).cmp(super::common::raw(b)));
    let mut out = Vec::new();
    for w in words {
        let text = super::common::raw(w);
        if text.contains('$') {
            let e = env.expand(text, escape);
            for p in super::common::split_words(&e.result) {
                out.push((p.to_string(), w.span, true));
            }
        } else {
            let v = if w.value.is_empty() {
                text
            } else {
                w.value.as_str()
            };
            out.push((v.to_string(), w.span, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        let s = split("127.0.0.1:80:80").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.ip, s.host_port, s.container_port),
            ("127.0.0.1", "80", "80")
        );
        let s = split("[::1]:8080:8080").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.ip, "[::1]");
        assert!(validate(&s).is_ok());
        let s = split("80/TcP").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.proto, "TcP");
        assert!(split("80/xyz").is_err());
        assert!(validate(&split("70000").unwrap_or_else(|e| panic!("{e}"))).is_err());
        assert!(validate(&split("8000-9000").unwrap_or_else(|e| panic!("{e}"))).is_ok());
        assert!(validate(&split("9000-8000").unwrap_or_else(|e| panic!("{e}"))).is_err());
    }
}
