//! Where an export's CSV files live while it is written, checked and zipped.
//!
//! A server keeps no client data on its disk: [`UnnamedFiles`] are temporary files that never
//! have a name (Linux's `O_TMPFILE`; elsewhere the name is removed the moment they are
//! opened), so they vanish with the job (also when the process is killed) and no other
//! process can open them. The ZIP they make is stored in PostgreSQL
//! (`hmis_export_chunks`). [`Folder`] writes named files into a folder, for the fixture tests
//! and the golden files.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The files of one export, by HUD file name.
pub trait ExportFiles: Send + Sync {
    /// A new, empty file `name` to write.
    fn create(&self, name: &'static str) -> io::Result<Box<dyn Write + Send>>;
    /// File `name` from its beginning, or `None` when it was never written.
    fn open(&self, name: &str) -> io::Result<Option<Box<dyn Read + Send>>>;
}

/// Named files in a folder that exists.
pub struct Folder<'a>(pub &'a Path);

impl ExportFiles for Folder<'_> {
    fn create(&self, name: &'static str) -> io::Result<Box<dyn Write + Send>> {
        Ok(Box::new(File::create(self.0.join(name))?))
    }

    fn open(&self, name: &str) -> io::Result<Option<Box<dyn Read + Send>>> {
        match File::open(self.0.join(name)) {
            Ok(file) => Ok(Some(Box::new(file))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Temporary files without a name on disk (see the module's comment).
pub struct UnnamedFiles {
    folder: PathBuf,
    files: Mutex<HashMap<String, Arc<File>>>,
}

impl UnnamedFiles {
    /// Files made in the system's temporary folder.
    pub fn new() -> Self {
        Self::in_folder(std::env::temp_dir())
    }

    pub fn in_folder(folder: PathBuf) -> Self {
        Self {
            folder,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// A file open for reading and writing that has no name on disk.
    pub fn unnamed_file(&self) -> io::Result<File> {
        // Linux makes the file without ever giving it a name (`O_TMPFILE`), so nothing can
        // see it, even for an instant; other systems and file systems without it (EOPNOTSUPP,
        // EISDIR) get a fresh name removed before any data reaches the file.
        #[cfg(target_os = "linux")]
        {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true);
            std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_TMPFILE);
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&self.folder) {
                Ok(file) => return Ok(file),
                Err(e) if matches!(e.raw_os_error(), Some(libc::EOPNOTSUPP | libc::EISDIR)) => {}
                Err(e) => return Err(e),
            }
        }
        let path = self.folder.join(format!(
            "threshold-export-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        std::fs::remove_file(&path)?;
        Ok(file)
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, HashMap<String, Arc<File>>>> {
        self.files
            .lock()
            .map_err(|_| io::Error::other("export files lock poisoned"))
    }
}

impl Default for UnnamedFiles {
    fn default() -> Self {
        Self::new()
    }
}

impl ExportFiles for UnnamedFiles {
    fn create(&self, name: &'static str) -> io::Result<Box<dyn Write + Send>> {
        let file = Arc::new(self.unnamed_file()?);
        self.lock()?.insert(name.to_string(), file.clone());
        Ok(Box::new(AtOffset { file, offset: 0 }))
    }

    fn open(&self, name: &str) -> io::Result<Option<Box<dyn Read + Send>>> {
        Ok(self
            .lock()?
            .get(name)
            .cloned()
            .map(|file| Box::new(AtOffset { file, offset: 0 }) as Box<dyn Read + Send>))
    }
}

/// One reader or writer of a shared file with its own position (positioned reads and writes:
/// two readers of one file never move each other).
struct AtOffset {
    file: Arc<File>,
    offset: u64,
}

#[cfg(unix)]
impl Read for AtOffset {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
impl Write for AtOffset {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = std::os::unix::fs::FileExt::write_at(&*self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(files: &dyn ExportFiles, name: &str) -> Option<String> {
        let mut text = String::new();
        files
            .open(name)
            .unwrap()?
            .read_to_string(&mut text)
            .unwrap();
        Some(text)
    }

    fn new_folder(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!(
            "threshold-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    #[test]
    fn unnamed_files_hold_their_data_and_leave_no_name_behind() {
        let folder = new_folder("unnamed");
        let files = UnnamedFiles::in_folder(folder.clone());
        assert!(read_all(&files, "Client.csv").is_none(), "never written");
        let mut out = files.create("Client.csv").unwrap();
        out.write_all(b"PersonalID\r\n").unwrap();
        out.write_all(b"\"1\"\r\n").unwrap();
        // Nothing with a name is in the folder while the file is open and written.
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
        // Two readers keep their own places.
        let mut first = files.open("Client.csv").unwrap().unwrap();
        let mut head = [0u8; 10];
        first.read_exact(&mut head).unwrap();
        assert_eq!(
            read_all(&files, "Client.csv").unwrap(),
            "PersonalID\r\n\"1\"\r\n"
        );
        let mut rest = String::new();
        first.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "\r\n\"1\"\r\n");
        drop((out, first, files));
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
        std::fs::remove_dir(&folder).unwrap();
    }

    #[test]
    fn a_folder_reads_and_writes_named_files() {
        let folder = new_folder("folder");
        let files = Folder(&folder);
        files
            .create("Exit.csv")
            .unwrap()
            .write_all(b"ExitID")
            .unwrap();
        assert_eq!(read_all(&files, "Exit.csv").unwrap(), "ExitID");
        assert!(read_all(&files, "Event.csv").is_none());
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
