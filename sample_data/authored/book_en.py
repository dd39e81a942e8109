"""A short story written for the sample (English). make_sample.py adds the Gutenberg layout."""

TITLE = "The Lamplighter's Apprentice"
AUTHOR = "Eleanor Whitcombe"
LANGUAGE = "English"

CHAPTERS = [
    (
        "CHAPTER I. THE LADDER",
        """Tom Haskett was eleven years old when he first carried the ladder for Mr. Pruett, the lamplighter of Lower Fenwick. It was a long ladder of grey ash wood, worn smooth where a thousand hands had gripped it, and it was heavier than it looked. On the first evening Tom dropped it twice, once on his own foot and once, much worse, against the window of the baker's shop, which rattled but did not break.

Mr. Pruett said nothing about either accident. He was a tall, thin man with a coat that reached almost to his boots, and he walked with his head tilted a little to one side, as though he were always listening for something far away. He carried a brass pole with a hook at one end and a small flame at the other, and he lit the lamps of the town in the same order every night, beginning at the church and ending at the bridge.

"Why always the same way?" Tom asked on the third evening, when his arms had begun to ache less.

"Because people know it," said Mr. Pruett. "Mrs. Allard at the corner puts her kettle on when she sees the church lamp. The men at the mill start for home when the lamp by the gate is lit. If I changed the order, half the town would be late for supper and the other half would be early, and nobody would know why."

Tom thought about this for a long time. He had never imagined that the lamps were a kind of clock, but once he had heard it he could not stop noticing it. Shutters closed as they passed, doors opened, and a dog on Mill Lane began to bark every evening exactly when the ladder touched the post outside its house.

The work itself was simple enough. At each lamp Tom set the foot of the ladder against the kerb and held it steady while Mr. Pruett climbed, opened the little glass door, turned the tap of the gas and touched the mantle with his flame. There was a soft sound, like a breath let out, and then a white glow that grew slowly warmer. Mr. Pruett always waited until the flame was steady before he closed the door and came down.

"A lamp that is lit in a hurry," he said, "goes out in the wind."

By the end of the first month Tom could carry the ladder without dropping it, and by the end of the second he knew every lamp in the town by its number and by its particular habits. Number fourteen, near the pump, had a stiff tap that needed a gentle twist to the left before it would turn to the right. Number twenty-two, on the hill, flickered whenever the wind came from the east. Number thirty, at the bridge, was the oldest of all and had a crack in one pane that Mr. Pruett had mended with a strip of lead."""
    ),
    (
        "CHAPTER II. THE WINTER",
        """The winter of that year was the hardest that anyone in Lower Fenwick could remember. Snow came early in November and did not leave until March. The river froze so thickly that the miller's boys skated from the bridge to the weir, and the carts that brought coal from the railway station could not climb the hill for nearly a week.

For the lamplighter and his apprentice the winter meant longer nights and harder work. They started in the middle of the afternoon, when the light was already failing, and they came back in the dark morning to put the lamps out again. The ladder was slippery with ice, and Tom learned to tie rags around its feet so that it would not slide on the frozen stones.

One evening in January a storm blew in from the sea. The wind was so strong that Tom could hardly stand, and the snow came sideways, stinging his face. When they reached the bridge they found that number thirty had gone out. The old lamp had lost its repaired pane, and the flame had been blown away in the first gust.

Mr. Pruett looked at the broken lamp for a long moment. Then he took off his scarf, climbed the ladder and wrapped the scarf carefully around the open side of the lantern, tying it with a piece of string from his pocket. He lit the gas, and the flame held, throwing a strange blue light through the wool.

"The carters come over this bridge in the dark," he said when he came down. "If there is no light here, one of them will go into the river. A lamp is not much, Tom, but it is the difference between a man seeing the edge and not seeing it."

They stood in the snow until they were sure the flame would last. Tom's fingers had gone white, and Mr. Pruett gave him his own gloves for the walk home, even though his hands were already red and cracked. Neither of them spoke very much. Tom was thinking about the carters, and about the river under the ice, and about the scarf that was slowly turning grey with soot.

The next morning the scarf was ruined, but the lamp was still burning. A carter named Billings, who had crossed the bridge after midnight with a load of timber, came to the lamplighter's cottage with a bag of apples and a new scarf that his wife had knitted. He did not say much either. He simply put the bag on the table, nodded to Tom and went back out into the snow."""
    ),
    (
        "CHAPTER III. THE NEW LAMPS",
        """In the spring the town council announced that the gas lamps would be replaced with electric ones. There was a meeting in the hall behind the church, and a man from the electric company explained, with the help of a large painted diagram, that the new lamps would switch themselves on and off by means of a clock at the power station. Nobody would need to climb a ladder ever again.

Most of the town was delighted. The electric lamps were brighter, they did not smell of gas, and the council would save a great deal of money. A few of the older people grumbled that the light was too harsh, and Mrs. Allard said that she would not know when to put her kettle on. Everyone laughed at that, and the vote was carried by a large majority.

Tom went home from the meeting feeling as though something heavy had settled in his chest. He had grown to love the slow evening walk, the sound of the gas, the way the town seemed to wake up lamp by lamp behind them. He wanted to ask Mr. Pruett what would become of him, and of them both, but he could not find the words.

Mr. Pruett, for his part, seemed entirely calm. He went on lighting the lamps every evening as before, in the same order and at the same pace, right up to the last night before the workmen arrived. That night he let Tom climb the ladder at every lamp, and he held it steady himself, which he had never done before.

At the bridge they stopped. Number thirty had been repaired properly by then, with a new pane of glass, but Mr. Pruett still looked at it as though it were an old friend.

"You will be wondering what comes next," he said.

Tom nodded.

"The electric company needs men who understand the streets," said Mr. Pruett. "Men who know which lamps flicker in the east wind and which corners flood in the rain. I have told them about you. They will take you on as a boy in the workshop, and if you are careful and you listen, you will be an engineer one day. That is a better trade than mine."

"And you?" asked Tom.

Mr. Pruett smiled, which was something he did very rarely. "I am sixty-three," he said. "I have walked this round every night for forty years. I think I shall sit in my garden and watch the lamps come on by themselves, and I shall count them, to make sure the clock at the power station is doing its work properly."""
    ),
    (
        "CHAPTER IV. THE ROUND",
        """Tom did become an engineer, many years later, and he worked for the electric company until he was an old man himself. He installed lamps in towns he had never heard of, he learned to read diagrams far more complicated than the one at the meeting, and he taught a great many apprentices, some of them careless and some of them very clever.

He never forgot the lamplighter of Lower Fenwick. Whenever he was in charge of a new set of street lamps, he walked the route himself on the first evening, in the order that the people of the town would expect, and he waited at each lamp until he was sure that the light was steady. His younger colleagues thought this was an old man's habit and teased him about it, although never unkindly.

Once, near the end of his working life, a young apprentice asked him why he bothered, since the lamps were all switched by the same clock and came on at exactly the same moment.

Tom thought about the question for a while before he answered. He remembered the weight of the grey ash ladder, the dog on Mill Lane, Mrs. Allard's kettle and the blue light of the scarf on the bridge in the snow.

"Because a light is for someone," he said at last. "It is easy to forget that when you are looking at a diagram. Somebody will walk under every one of these lamps tonight. Somebody will be crossing a bridge in the dark. I like to see the street the way they will see it, once, before I go home."

The apprentice did not understand him then, but she remembered the answer, and many years later she found herself walking the route of a new set of lamps on a cold evening, waiting at each post until the light was steady, with no one to see her but a dog that barked from behind a garden gate.

In Lower Fenwick the old gas lamps are gone, except for one. Number thirty still stands at the end of the bridge, no longer lit, with a small plate fixed to its post. The plate gives the name of Samuel Pruett, lamplighter, and the years of his service, and underneath, in smaller letters that most people never stop to read, it says: He lit the way for others, every night, in the same order."""
    ),
]
