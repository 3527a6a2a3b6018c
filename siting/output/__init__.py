"""Everything a solved run writes, and reads back from what it wrote.

- :mod:`siting.output.files`: atomic files and the JSON conventions;
- :mod:`siting.output.run_folder`: the run folder (GeoPackage, tables, solution, summary,
  manifest) and :func:`~siting.output.run_folder.read_solution`;
- :mod:`siting.output.artefacts`: the maps and the report of a run, rendered by
  :mod:`siting.report` and written into its folder, and
  :func:`~siting.output.artefacts.read_run`;
- :mod:`siting.output.sweep_store`: a sweep's result tables.

This package sits on top of :mod:`siting.report`; the readers of a case's inputs are in
:mod:`siting.io`, below everything else.
"""
