/** A README section that a script makes from the code, between two marker lines. */
export interface ReadmeSection {
  readonly start: string;
  readonly end: string;
  /** The section's lines, markers included. */
  make(): string;
}

/** The README with the section replaced, or an error naming the missing markers. */
export function withSection(readme: string, section: ReadmeSection): string {
  const start = readme.indexOf(section.start);
  const end = readme.indexOf(section.end);
  if (start < 0 || end < start) throw new Error(`README.md lacks a section: put the lines\n${section.start}\n${section.end}\nwhere it belongs`);
  return readme.slice(0, start) + section.make() + readme.slice(end + section.end.length);
}

/** The section as the README has it now, for a test to compare with what `make` gives. */
export function sectionIn(readme: string, section: ReadmeSection): string {
  return readme.slice(readme.indexOf(section.start), readme.indexOf(section.end) + section.end.length);
}
