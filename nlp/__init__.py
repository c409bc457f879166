"""Notice text -> product tags (HS chapters, headings, subheadings)."""
