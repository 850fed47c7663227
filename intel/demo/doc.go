// Package demo fills an empty database with a synthetic Cumbria, for
// demonstrations, manual testing and benchmarks. Nothing in it is about a
// real person.
//
// Load(ctx, db, seed, log) builds everything in memory from the seed (each
// part of the generator has its own PCG stream, so the same seed gives the
// same database, row for row, ids and timestamps included), then writes it
// in one transaction with bulk inserts. A settings row, demo_seed, marks the
// database as loaded; a second Load changes nothing. Load refuses a database
// that already holds people, contexts, links, events or other districts:
// demo children must never be mixed with real ones.
//
// What the demo holds:
//
//   - Districts: Cumbria's six former districts (E07000026–31), real
//     boundaries (ONS/OS, OGL v3).
//   - Places (about 530): every rail station (48, OpenStreetMap) and the
//     schools of the EduBase 2017 extract (90, with URN; one row geocoded
//     330 km away is left out), at their real positions; and synthetic places
//     around 30 real town centres: town-centre streets, bus stations,
//     takeaways, shops, shopping centres and leisure centres (small
//     polygons), taxi ranks, car parks, hotels, parks (polygons) and
//     playgrounds. Their positions are drawn around the towns and kept on
//     land in the right district, and their names are labels ("Takeaway 2,
//     Kendal"), so no real business is implied. Houses ("cuckooed" flats)
//     and children's homes are fictional and sensitive. Every place has an
//     ext_ref "demo-place-N"; the database assigns districts.
//   - Peer groups (25) and online spaces (31, on the usual platforms), each
//     with a district.
//   - People (210): 180 young people (YP-0001...) and 30 adults of concern
//     (AOC-001...), some with a fictional case reference ("DEMO-12345")
//     stored as a keyed hash. Sixty young people make up the slides'
//     Current Picture of 31 December 2020 exactly (see below); the others
//     had a category that ended before that date, got one after it, or never
//     had one. Histories run from 2018 to 2021: categories and statuses
//     change, cases close, CERAR assessments recur every 4 to 12 weeks.
//   - Networks: fifteen clusters of young people sharing places, groups and
//     spaces within a town, three of them spanning two districts along a
//     railway (Carlisle–Penrith, Workington–Whitehaven, Barrow–Ulverston),
//     each with adults of concern linked to its addresses, places, group,
//     chat and children; four adults from outside the area (no district)
//     run county lines into several towns.
//   - Links (about 1,500), graded 3x5x2 (mostly 2B/2C, some 1A, a few 3E;
//     about 60% confirmed), with source agency, first and last seen dates and
//     a review date: one record in ten keeps a review date in 2021-2022 (so
//     review lists show them); the rest were "reviewed and kept" until
//     2027-2028, so the maps, which leave out past-review records, show the
//     demo today. Where a
//     young person is seen, last seen, found and with whom follows from the
//     events they are in.
//   - Events (7,250), 2019–2021: 6,200 about young people (missing episodes
//     with where and when the child was found and, for 88%, a return home
//     interview, about 60% of them within 72 hours; the interviews as events;
//     sightings; incidents; intelligence reports), each with 1–4 young
//     people, sometimes a peer group, the child's category, severity, grade,
//     source and review date. They cluster at a network's places (tens of
//     metres of scatter), in evenings and at weekends (Europe/London), with
//     quieter lockdowns in 2020–21; about a fifth have a time window. And
//     1,050 police.uk-like crimes (anti-social behaviour, violence and sexual
//     offences, public order, drugs) with a month for a time and an
//     anonymous point for a place, in town centres and in each LSOA by
//     population, with no people.
//
// The Current Picture. A child counts on a date when a category period
// covers it (valid_from <= date < valid_to, or no valid_to), under
// people.district; the status is the status period covering the date; the
// risk assessment is up to date when the latest assessment on or before the
// date falls within the calendar month before it, and overdue otherwise
// (never assessed included). On 31 December 2020 the demo gives the slides'
// table cell for cell: the generator deals each district's column of the
// table (categories, statuses, up-to-date count) out to that many children,
// pairing the more serious categories with the more intensive plans and the
// most recent assessments, and writes each child a history that puts exactly
// that category, status and assessment state on the date. A few children
// sit on every boundary of the definitions (a category starting on the
// date, one ending on it, one ending the day after, an assessment on 30
// November, on 1 December, on the date, and after it), so a report that gets
// a boundary wrong gets the table wrong.
//
// The slides' district columns add up to 59 children and their Cumbria
// column to 60: the 60th (other exploitation, case not open, assessment
// overdue) has no district recorded, and is counted for Cumbria only.
package demo
