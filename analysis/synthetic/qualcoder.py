"""QualCoder projects written as QualCoder writes them, for SYNTHETIC studies and tests.

QualCoder keeps a project in one SQLite database, ``NAME.qda/data.qda``. :data:`SCHEMA_V14`
holds the ``CREATE TABLE`` statements of ``MainWindow.new_project`` in
``src/qualcoder/__main__.py`` of the public repository ccbogel/QualCoder (schema ``v14``,
whose docstring lists what v2 to v14 added to v1), as QualCoder 3.x creates a project;
only the tables a text project uses are kept. :func:`write_qualcoder_db` fills them:
the generators of this package write their projects with it, and the tests of the reader
(:mod:`analysis.refi.qualcoder`) write their hand-made databases from the same schema.

Examples
--------
>>> import sqlite3, tempfile, pathlib
>>> db = write_qualcoder_db(pathlib.Path(tempfile.mkdtemp()) / "study.qda", {
...     "project": [{"databaseversion": "v14", "codername": "ann"}],
...     "source": [{"id": 1, "name": "P01.txt", "fulltext": "No money left."}],
...     "code_name": [{"cid": 1, "name": "Funding"}],
...     "code_text": [{"cid": 1, "fid": 1, "pos0": 3, "pos1": 8, "seltext": "money"}]})
>>> sqlite3.connect(db).execute("select seltext, owner from code_text").fetchall()
[('money', 'ann')]
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

__all__ = ["SCHEMA_V14", "QUALCODER_DATE", "write_qualcoder_db"]

# ccbogel/QualCoder, src/qualcoder/__main__.py, MainWindow.new_project (schema v14).
SCHEMA_V14 = """
CREATE TABLE project (databaseversion text, date text, memo text,about text, bookmarkfile integer,
  bookmarkpos integer, codername text, recently_used_codes text);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text,
  owner text, date text, av_text_id integer, risid integer, unique(name));
CREATE TABLE code_image (imid integer primary key,id integer,x1 integer, y1 integer, width integer,
  height integer, cid integer, memo text, date text, owner text, important integer,
  pdf_page integer);
CREATE TABLE code_av (avid integer primary key,id integer,pos0 integer, pos1 integer, cid integer,
  memo text, date text, owner text, important integer);
CREATE TABLE annotation (anid integer primary key, fid integer,pos0 integer, pos1 integer,
  memo text, owner text, date text, unique(fid,pos0,pos1,owner));
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text,
  caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text,
  id integer, date text, owner text, unique(name,attr_type,id));
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer,
  pos1 integer, owner text, date text, memo text);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text,date text,
  constraint ucm unique(name));
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text,
  supercatid integer, unique(name));
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text,
  pos0 integer, pos1 integer, owner text, date text, memo text, avid integer,
  important integer, unique(cid,fid,pos0,pos1, owner));
CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer,
  owner text,date text, color text, unique(name));
CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text,
  unique(name));
"""

#: The date every row is stamped with (QualCoder writes ``YYYY-MM-DD hh:mm:ss``): fixed,
#: so that the same rows give the same database.
QUALCODER_DATE = "2025-03-04 09:30:00"


def write_qualcoder_db(folder: os.PathLike | str, tables: dict[str, list[dict]]) -> Path:
    """Write ``folder/data.qda`` (``folder`` is the ``NAME.qda`` project folder).

    Parameters
    ----------
    folder : path-like
        The project folder, created; it must not hold a ``data.qda`` yet.
    tables : dict
        ``{table: [row, ...]}``, each row a mapping of column to value. Columns left
        out are null, but ``date`` (:data:`QUALCODER_DATE`) and ``owner`` (the
        project's ``codername``) are filled as QualCoder fills them.

    Returns
    -------
    Path
        The database.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "data.qda"
    if db.exists():
        raise FileExistsError(db)
    owner = next((r.get("codername") for r in tables.get("project", [])), None)
    con = sqlite3.connect(db)
    try:
        con.executescript(SCHEMA_V14)
        columns = {t: [r[1] for r in con.execute(f"pragma table_info('{t}')")]
                   for t in tables}
        for table, rows in tables.items():
            for row in rows:
                filled = {"date": QUALCODER_DATE, "owner": owner, **row}
                cols = [c for c in columns[table] if c in filled]
                con.execute(f"insert into {table} ({', '.join(cols)}) values "
                            f"({', '.join('?' * len(cols))})", [filled[c] for c in cols])
        con.commit()
    finally:
        con.close()
    return db
