/*
 * archive_dl.h - libarchive, opened with dlopen() by the first message
 * that has an archive to read, not linked: it pulls in libxml2, ICU and
 * compression libraries that every process would load and relocate at
 * start, and most mail has no zip.  archive.c calls libarchive by its
 * own names, which this header points at the table.
 */
#ifndef XD_MIME_ARCHIVE_DL_H
#define XD_MIME_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

struct archive_lib {
	struct archive *(*read_new)(void);
	int	 (*read_free)(struct archive *);
	int	 (*support_format_zip)(struct archive *);
	int	 (*support[9])(struct archive *);	/* the other formats */
	int	 (*set_read_callback)(struct archive *, archive_read_callback *);
	int	 (*set_seek_callback)(struct archive *, archive_seek_callback *);
	int	 (*set_skip_callback)(struct archive *, archive_skip_callback *);
	int	 (*set_callback_data)(struct archive *, void *);
	int	 (*open1)(struct archive *);
	int	 (*next_header)(struct archive *, struct archive_entry **);
	la_ssize_t (*read_data)(struct archive *, void *, size_t);
	const char *(*entry_pathname)(struct archive_entry *);
	int	 (*entry_is_encrypted)(struct archive_entry *);
	void	 (*set_error)(struct archive *, int, const char *, ...);
};
extern struct archive_lib archive_lib;
int	 archive_lib_load(void);	/* 0, or -1: no libarchive */

#define archive_read_new		archive_lib.read_new
#define archive_read_free		archive_lib.read_free
#define archive_read_support_format_zip	archive_lib.support_format_zip
#define archive_read_support_format_rar	archive_lib.support[0]
#define archive_read_support_format_rar5	archive_lib.support[1]
#define archive_read_support_format_7zip	archive_lib.support[2]
#define archive_read_support_format_tar	archive_lib.support[3]
#define archive_read_support_format_cab	archive_lib.support[4]
#define archive_read_support_format_lha	archive_lib.support[5]
#define archive_read_support_filter_gzip	archive_lib.support[6]
#define archive_read_support_filter_bzip2	archive_lib.support[7]
#define archive_read_support_filter_xz	archive_lib.support[8]
#define archive_read_set_read_callback	archive_lib.set_read_callback
#define archive_read_set_seek_callback	archive_lib.set_seek_callback
#define archive_read_set_skip_callback	archive_lib.set_skip_callback
#define archive_read_set_callback_data	archive_lib.set_callback_data
#define archive_read_open1		archive_lib.open1
#define archive_read_next_header	archive_lib.next_header
#define archive_read_data		archive_lib.read_data
#define archive_entry_pathname		archive_lib.entry_pathname
#define archive_entry_is_encrypted	archive_lib.entry_is_encrypted
#define archive_set_error		archive_lib.set_error

#endif
