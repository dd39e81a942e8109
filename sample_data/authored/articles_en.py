"""English articles written for the sample crawl (fiction of the project, not copied from anywhere).

Each entry: (slug, title, paragraphs). sample_data/make_sample.py wraps them in site templates.
"""

ARTICLES = [
    (
        "rooftop-bees",
        "Rooftop beehives bring a quiet buzz to the old market district",
        [
            "When the hardware store on Canal Street closed last spring, its flat tar roof sat empty for months. Today it holds six white hives, a rain barrel and a folding table where volunteers sort frames of honey every Saturday morning. The project started with a single conversation between a retired science teacher and the owner of the building, and it has grown into one of the most popular community programs in the neighbourhood.",
            "Margaret Oyelaran, who taught biology at the high school for thirty-one years, says the idea came to her while she was watching bees work the lime trees along the river. She noticed that there were far more flowers in the district than anyone expected, because the small front gardens, window boxes and the cemetery together form a patchwork of food that lasts from April until the first frost.",
            "The first colony arrived in a wooden box on the back seat of her car. It was calm, she says, which mattered, because the roof is only a few metres above a busy pavement. The volunteers chose a gentle strain of bees and placed the hives so that the flight path rises steeply over the parapet. Pedestrians below rarely notice anything at all.",
            "Keeping bees in a city is not as unusual as it sounds. Urban colonies often produce more honey than rural ones, because towns are warmer and the gardens are not sprayed as heavily as large farms. The taste changes through the season. Early honey from the fruit trees is pale and mild, while the late summer harvest from the lime trees is darker and has a faint note of mint.",
            "The group now has twenty-two members, and the youngest is nine years old. Children from the primary school visit twice a term to look at a glass observation frame and to learn how a colony divides its work. Teachers say the visits lead to long discussions about pollination, food and the weather, and several pupils have started to plant flowers at home.",
            "Not everything has gone smoothly. One hive was lost during a cold, wet week in May, and a neighbour complained when a swarm settled on her balcony railing. A volunteer collected it within an hour, and the neighbour was given a jar of honey and a short lesson on why swarming is a sign of a healthy colony rather than a threat.",
            "The honey is sold at the Saturday market, and the money pays for equipment and for wildflower seed that the group hands out in small paper envelopes. Last year they gave away more than four thousand envelopes. Oyelaran hopes that the district will one day be known for its flowers as much as for its old warehouses.",
        ],
    ),
    (
        "bicycle-history",
        "How the bicycle changed the way ordinary people travelled",
        [
            "The first machines that we would recognise as bicycles appeared in the early nineteenth century, but they had no pedals at all. Riders sat on a wooden frame and pushed themselves along with their feet. These running machines were fashionable for a few years and then disappeared, partly because they were hard to use on the rough roads of the time and partly because they were banned from the pavements in several cities.",
            "Pedals were added to the front wheel in the 1860s, and the result was a heavy machine with iron tyres that earned the nickname of the boneshaker. Because each turn of the pedals turned the wheel exactly once, the only way to go faster was to make the front wheel bigger. That logic led to the high wheeler, a tall and elegant machine that was also very dangerous. A rider who hit a stone could be thrown forward over the handlebars and land on his head.",
            "The real change came with the safety bicycle in the 1880s. It had two wheels of the same size, a chain that drove the rear wheel, and a frame shaped like a diamond. A few years later the pneumatic tyre made the ride smooth enough for long journeys. For the first time, a machine that was cheap enough for a factory worker could carry a person many miles in an afternoon without a horse.",
            "Historians often point out how much the bicycle mattered to women. It gave them a way to travel on their own, it encouraged more practical clothing, and it became a symbol of independence. Newspapers of the period printed long debates about whether cycling was proper for young ladies, and many of the arguments sound strange to a modern reader.",
            "The bicycle also shaped the roads that cars would later use. Cycling clubs campaigned for smooth surfaces and for signposts, and some of the first maps designed for travellers were produced for cyclists. Several engineers who later built cars and aeroplanes began their careers in bicycle workshops, where they learned about light frames, bearings and chains.",
            "Today the bicycle is enjoying another revival. Cities are building protected lanes, electric motors are helping older riders to climb hills, and delivery companies use cargo bikes in narrow streets. The basic design, however, would be familiar to a rider from the 1890s, which says a great deal about how well the original engineers solved the problem.",
        ],
    ),
    (
        "sourdough-guide",
        "A patient beginner's guide to baking sourdough bread at home",
        [
            "Sourdough has a reputation for being difficult, but most of the work is simply waiting. The bread is raised by a starter, a mixture of flour and water that contains wild yeast and bacteria. The yeast makes the dough rise, while the bacteria produce the mild acidity that gives the bread its flavour and helps it to keep for several days.",
            "To make a starter, mix equal weights of wholemeal flour and lukewarm water in a clean jar and leave it loosely covered in a warm kitchen. Every day, throw away about half of it and feed the rest with fresh flour and water. After five to ten days it should double in size a few hours after each feeding and smell pleasantly sour, a little like yoghurt or apples.",
            "For a first loaf, combine five hundred grams of strong white flour with three hundred and fifty grams of water and one hundred grams of active starter. Let the mixture rest for half an hour before adding ten grams of salt. This pause allows the flour to absorb the water and makes the dough easier to handle.",
            "Instead of kneading, fold the dough over itself a few times every half hour during the first two hours. Wet your hands so that the dough does not stick to them. You will notice that it becomes smoother and more elastic with each set of folds. After that, leave it alone until it has grown by about half and shows a few bubbles on the surface.",
            "Shape the dough into a tight ball, place it in a floured basket or a bowl lined with a tea towel, and put it in the refrigerator overnight. The cold slows the yeast down while the bacteria keep working, which deepens the flavour. It also makes the dough firmer and much easier to score with a sharp blade.",
            "Bake the loaf in a heavy pot with a lid, preheated in a very hot oven. The lid traps steam during the first twenty minutes, so the crust stays soft long enough for the bread to expand. Then remove the lid and bake for another twenty to twenty-five minutes until the crust is a deep brown. Let the bread cool for at least an hour before cutting it, because the inside is still cooking.",
            "Do not be discouraged if the first loaves are flat or dense. Keep notes about temperatures and times, change one thing at a time, and you will soon learn how your starter behaves in your own kitchen.",
        ],
    ),
    (
        "home-solar",
        "What homeowners should know before installing solar panels",
        [
            "Solar panels have become much cheaper over the past decade, and many households are now asking whether a system on their roof would pay for itself. The answer depends on several factors, including the direction and angle of the roof, the amount of shade from trees or neighbouring buildings, and the price that the local grid pays for electricity that is exported.",
            "A roof that faces south in the northern hemisphere will usually produce the most energy over a year, but east and west facing roofs can also work well. They produce less at midday and more in the morning and evening, which can match the way a family actually uses electricity. An installer should provide an estimate of the yearly output based on local weather records rather than a simple rule of thumb.",
            "Shade is often more important than people expect. Even a chimney or a single tall tree can reduce the output of a whole string of panels if the system is not designed carefully. Modern systems use small electronic devices on each panel to limit this effect, but they add to the cost and should be discussed before the contract is signed.",
            "Batteries are the subject of many questions. A battery stores energy produced during the day so that it can be used in the evening, which increases the share of solar power that a household uses itself. However, batteries are still expensive, and in many places the savings are not yet large enough to cover their price during their expected life. It is worth asking for two quotes, one with and one without storage.",
            "Homeowners should also check the condition of the roof. Panels are designed to last twenty-five years or more, and removing them to repair the roof later can be costly. If the tiles are old, it may be sensible to replace them first. Planning rules differ between towns, so a short call to the local council can prevent unpleasant surprises.",
            "Finally, compare the warranties. A good contract covers the panels, the inverter and the installation work separately, and explains what happens if the installer goes out of business. With careful planning, a solar system can reduce energy bills for decades and make a household less exposed to sudden changes in prices.",
        ],
    ),
    (
        "library-reopens",
        "Town library reopens after two years of careful renovation",
        [
            "The public library on Elm Square reopened its doors on Monday after a renovation that took almost two years and cost considerably less than the original estimate. Several hundred residents queued in the rain before the opening, and the first visitor, a seven year old girl named Priya, borrowed a book about dinosaurs and a guide to growing tomatoes.",
            "The building dates from 1904 and was paid for by a local mill owner who believed that working families should have access to books. Over the decades it had been divided into small rooms, and the large windows on the east side had been covered with plasterboard. The architects removed those later additions and restored the original reading hall, which is now filled with natural light.",
            "One of the most popular changes is a quiet study room on the first floor. Students preparing for exams had often complained that there was nowhere in town to work without noise. The new room has forty desks, reliable wireless internet and power sockets at every seat. It will stay open until nine in the evening during the exam season.",
            "The children's section has moved to the ground floor, next to a small garden that was previously used as a car park. Librarians plan to hold story sessions outside during the summer months. There is also a room for local history, where residents can look at old maps, photographs and newspapers, and volunteers will help them to trace the history of their houses and families.",
            "The renovation was funded by the town council, a national heritage grant and more than two thousand private donations, many of them very small. The names of all donors are written on a long panel near the entrance. The head librarian said that the number of people who had contributed showed how much the building meant to the town.",
            "Opening hours have been extended, and the library will now open on Sunday afternoons for the first time in its history. Membership remains free for everyone who lives or works in the district.",
        ],
    ),
    (
        "marathon-training",
        "Training for your first marathon without getting injured",
        [
            "Running a marathon is a goal for many people who took up jogging to get fit, but the distance demands respect. Most injuries among new marathon runners are caused by increasing the training load too quickly. A sensible plan lasts at least sixteen weeks and assumes that the runner can already cover ten kilometres comfortably.",
            "The heart of any plan is the weekly long run. It should begin at a distance that feels easy and grow by no more than a couple of kilometres each week, with a shorter week every month to allow the body to recover. The pace of the long run should be slow enough that you could hold a conversation. Many beginners run these sessions too fast and arrive at race day tired.",
            "The other runs during the week can be short and relaxed. One session may include a few faster sections, but the purpose is to build endurance rather than speed. Strength exercises for the hips, legs and core take only twenty minutes twice a week and make a real difference to how well the body copes with the repeated impact of running.",
            "Food and drink matter more as the distance grows. During runs longer than ninety minutes, most people need to take in some carbohydrate, for example sports drinks, gels or simple snacks. Practise this in training, because race day is not the moment to discover that a new product upsets your stomach.",
            "Listen to warning signs. Pain that changes the way you run, that gets worse during a session, or that is still present the next morning should not be ignored. Taking a few days off is far better than missing the race altogether. Sleep is also part of training, and a tired runner is more likely to be injured.",
            "In the final three weeks, reduce the amount of running so that the body arrives fresh. On the day itself, start more slowly than you think you should. The first half should feel easy, because the second half rarely does.",
        ],
    ),
    (
        "coastal-trail-review",
        "Trail review: the coastal path from Penmarrow to the lighthouse",
        [
            "The coastal path between the fishing village of Penmarrow and the old lighthouse at Gull Point is about eleven kilometres long and takes most walkers between three and four hours. It is well marked, but some sections are steep and can be muddy after rain, so good boots are essential. We walked it on a clear morning in late September, when the summer crowds had gone.",
            "The route leaves the harbour past a row of painted cottages and climbs quickly onto the cliffs. Within twenty minutes the village is out of sight, and the only sounds are the wind and the sea birds. In several places the path runs close to the edge, and families with small children should take care. There are benches at the best viewpoints, most of them donated in memory of local walkers.",
            "About halfway along, the path drops into a small sandy cove where a stream meets the sea. This is the best place for a picnic and, at low tide, for exploring the rock pools. We saw crabs, anemones and a small fish that the children insisted was a baby shark. The climb out of the cove is the hardest part of the walk, with a long flight of uneven steps.",
            "The final section crosses open heathland covered with gorse and heather. On a clear day you can see the islands on the horizon. The lighthouse itself is no longer staffed, but the old keeper's cottage has been turned into a small café that serves soup, sandwiches and very good cake. It closes at four in the afternoon outside the summer season.",
            "There is no regular bus back to Penmarrow, so walkers either return the same way or arrange a taxi in advance. Mobile signal is poor along much of the route. Overall, this is one of the most rewarding walks on this part of the coast, and we would happily do it again in spring, when the cliffs are covered with wild flowers.",
        ],
    ),
    (
        "how-tides-work",
        "Why the sea rises and falls twice a day",
        [
            "Anyone who has spent a day at the seaside has seen the water creep up the beach and then slowly retreat. These tides are caused mainly by the gravity of the Moon, with a smaller contribution from the Sun. Although the idea is simple, the details are surprisingly subtle, and scientists needed centuries to understand them properly.",
            "The Moon pulls on every part of the Earth, but it pulls harder on the side that is closer to it and more weakly on the far side. This difference stretches the oceans into a slightly oval shape, with one bulge of water facing the Moon and another on the opposite side. As the Earth turns, most coastlines pass through both bulges, which is why many places have two high tides every day.",
            "The timing shifts by about fifty minutes each day because the Moon moves along its orbit while the Earth rotates. The Sun creates its own, weaker tides. When the Sun and the Moon are lined up, at new moon and full moon, their effects add together and produce spring tides with a large range. When they pull at right angles, the range is smaller, and these are called neap tides.",
            "Real coastlines complicate the picture. The shape of the sea floor, the width of bays and the presence of islands can amplify or weaken the tide. Some places have only one high tide a day, while others have a range of more than ten metres. In long, narrow bays the water can rush in as a wave called a tidal bore, which attracts surfers and spectators.",
            "Understanding tides matters for shipping, fishing and coastal safety. Harbour authorities publish tide tables that are calculated from long series of measurements, and walkers who explore beaches and causeways should always check them before setting out. Each year people are caught by the rising water because they underestimated how fast it can move across flat sand.",
        ],
    ),
    (
        "database-migration",
        "What we learned moving our billing database without downtime",
        [
            "Last quarter our team moved the billing database from an ageing server to a new cluster. Billing is the one system that customers notice immediately when it fails, so the goal was clear from the start: no downtime and no lost records. This post describes the approach we took, the mistakes we made and what we would do differently next time.",
            "We started by making the application write every change to both databases. Reads still came from the old server, and a background job compared the two copies every night. During the first week the comparison found thousands of differences, almost all of them caused by rounding in a currency conversion function that behaved differently on the new system. Fixing that took longer than the rest of the preparation.",
            "Once the nightly comparison had been clean for two weeks, we moved a small share of read traffic to the new cluster. We began with internal reports, then with customers on a free plan, and finally with everyone. Each step was controlled by a switch that could be reversed within seconds, and we used it twice when response times rose above our limit.",
            "The hardest part was not technical. Several teams had written scripts years ago that connected directly to the old server, and nobody remembered they existed until they stopped working. We now keep a list of every system that reads from the billing database, and connections from unknown clients raise an alert.",
            "The final switch happened on a quiet Tuesday afternoon and took about four minutes. The old server stayed online, read only, for another month in case we needed to look at historical data. Looking back, we would have spent more time on the comparison job earlier, because it gave us the confidence to move forward at every step.",
        ],
    ),
]

# A club newsletter that carries contact details: the PII stage must redact them.
PII_ARTICLE = (
    "river-club-newsletter",
    "Riverside Rowing Club newsletter: spring regatta and volunteer call",
    [
        "The spring regatta will take place on the third Saturday of April, and the committee is looking for volunteers to help with launching boats, timing races and running the tea tent. Last year more than three hundred rowers from twelve clubs took part, and the event raised enough money to replace two of our oldest training boats.",
        "If you can spare a morning or an afternoon, please write to the regatta secretary at regatta.secretary@riverside-rowing.example.org before the end of March. Questions about the junior squad should go to coach Daniel Whitfield at d.whitfield@riverside-rowing.example.org, who is also collecting names for the summer camp.",
        "Members have asked why the online booking page was unavailable for two days last week. The club's server at 81.2.69.160 was moved to a new provider, and the change of address took longer than expected to reach every network. The booking page is working again, and all reservations made before the move have been kept.",
        "The boathouse roof repair is almost finished. The builders found more damage than expected under the old felt, but the work is still within the budget agreed at the annual meeting. The changing rooms will reopen next week, and we thank everyone for their patience while they used the temporary facilities in the car park.",
        "Finally, a reminder that membership fees for the new season are due at the end of the month. Members who have not yet paid will receive a letter from the treasurer. If you have any difficulty, please speak to a committee member in confidence, because nobody should have to stop rowing for financial reasons.",
    ],
)
