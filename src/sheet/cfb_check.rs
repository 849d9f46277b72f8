//! A check of an xls file's container (Compound File Binary) before calamine
//! reads it: a sector chain that loops makes calamine's reader grow a buffer
//! until the allocation fails and the process aborts (found by fuzzing), and
//! an abort cannot be caught. So every chain in the file allocation tables
//! must end, and every link must point inside the file.

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
/// FAT and DIFAT sector markers (0xFFFFFFFD, 0xFFFFFFFC): no further link.
const SPECIAL: u32 = 0xFFFF_FFFA;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Why the container is refused.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let broken = |what: &str| Err(format!("its container is broken ({what})"));
    let Some(shift) = u16_at(bytes, 0x1E) else {
        return broken("no header");
    };
    if !(9..=12).contains(&shift) {
        return broken("sector size");
    }
    let size = 1_usize << shift;
    let sectors = bytes.len() / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        bytes.get(start..start + size)
    };
    // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + 4 * i))
        .collect();
    let mut difat = u32_at(bytes, 0x44).unwrap_or(ENDOFCHAIN);
    let difat_count = u32_at(bytes, 0x48).unwrap_or(0) as usize;
    for _ in 0..difat_count.min(sectors) {
        if difat >= SPECIAL {
            break;
        }
        let Some(data) = sector(difat) else {
            return broken("DIFAT beyond the end");
        };
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).filter_map(|i| u32_at(data, 4 * i)));
        difat = u32_at(data, 4 * per).unwrap_or(ENDOFCHAIN);
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|id| *id < SPECIAL) {
        let Some(data) = sector(id) else {
            return broken("FAT beyond the end");
        };
        fat.extend((0..size / 4).filter_map(|i| u32_at(data, 4 * i)));
        if fat.len() > sectors.saturating_mul(2) + 1024 {
            return broken("FAT larger than the file");
        }
    }
    chains_end(&fat).map_err(|what| format!("its container is broken ({what})"))?;
    // The mini FAT is a chain in the FAT; its own links must end too.
    let mut mini = Vec::new();
    let mut id = u32_at(bytes, 0x3C).unwrap_or(ENDOFCHAIN);
    while id < SPECIAL {
        let Some(data) = sector(id) else {
            return broken("mini FAT beyond the end");
        };
        mini.extend((0..size / 4).filter_map(|i| u32_at(data, 4 * i)));
        id = fat.get(id as usize).copied().unwrap_or(ENDOFCHAIN);
        if mini.len() > sectors.saturating_mul(size / 4) {
            return broken("mini FAT larger than the file");
        }
    }
    chains_end(&mini).map_err(|what| format!("its container is broken ({what})"))
}

/// Every chain of links ends (no loop, no link outside the table).
fn chains_end(table: &[u32]) -> Result<(), &'static str> {
    // 0: not seen, 1: on the path being walked, 2: known to end.
    let mut state = vec![0_u8; table.len()];
    for start in 0..table.len() {
        let mut path = Vec::new();
        let mut at = start;
        loop {
            match state[at] {
                2 => break,
                1 => return Err("a sector chain loops"),
                _ => {}
            }
            state[at] = 1;
            path.push(at);
            let next = table[at];
            if next >= SPECIAL || next == ENDOFCHAIN || next == FREESECT {
                break;
            }
            let next = next as usize;
            if next >= table.len() {
                return Err("a sector link points outside the file");
            }
            at = next;
        }
        for node in path {
            state[node] = 2;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::chains_end;

    #[test]
    fn loops_and_stray_links_are_found() {
        assert!(chains_end(&[1, 2, 0xFFFF_FFFE]).is_ok());
        assert!(chains_end(&[1, 2, 0]).is_err());
        assert!(chains_end(&[0]).is_err());
        assert!(chains_end(&[7]).is_err());
        assert!(chains_end(&[0xFFFF_FFFF, 0xFFFF_FFFD]).is_ok());
    }
}
